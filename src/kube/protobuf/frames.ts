/**
 * The framing of protobuf watch streams (apimachinery `pkg/util/framer`): each frame is a 4-byte
 * big-endian unsigned length followed by that many bytes. The splitter buffers only bytes that
 * have arrived and refuses a frame longer than its limit as soon as the length is read, so a
 * garbage length can neither allocate nor stall the stream.
 * @module
 */
import { ByteQueue } from "../../streams/byte_queue.ts";
import { ProtobufError } from "./wire.ts";

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;

/** Default largest frame accepted: 16 MiB (objects are capped far lower by etcd). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The 4-byte big-endian length prefix of a frame of `length` bytes. */
export function frameHeader(length: number): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  new DataView(header.buffer).setUint32(0, length);
  return header;
}

/** Splits a byte stream cut at arbitrary boundaries into length-prefixed frames. */
export class FrameSplitter {
  #queue = new ByteQueue();
  #maxFrameBytes: number;
  #frameLength = -1;

  /** Creates a splitter refusing frames longer than `maxFrameBytes`. */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Consumes `chunk` and passes each completed frame to `onFrame`, in order. A frame is a view of
   * the chunk it arrived in, or a copy when it spans chunks. Throws `ProtobufError` for a length
   * over the limit.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    const queue = this.#queue;
    queue.push(chunk);
    for (;;) {
      if (this.#frameLength < 0) {
        if (queue.length < FRAME_HEADER_BYTES) return;
        const header = queue.take(FRAME_HEADER_BYTES);
        const length = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES)
          .getUint32(0);
        if (length > this.#maxFrameBytes) {
          throw new ProtobufError(
            `watch frame of ${length} bytes exceeds the ${this.#maxFrameBytes} byte limit`,
          );
        }
        this.#frameLength = length;
      }
      if (queue.length < this.#frameLength) return;
      const frame = queue.take(this.#frameLength);
      this.#frameLength = -1;
      onFrame(frame);
    }
  }

  /** Checks that the stream ended on a frame boundary. */
  finish(): void {
    if (this.#frameLength >= 0) {
      throw new ProtobufError(
        `truncated watch frame: ${this.#queue.length} of ${this.#frameLength} bytes`,
      );
    }
    if (this.#queue.length > 0) {
      throw new ProtobufError(`truncated watch frame header: ${this.#queue.length} of 4 bytes`);
    }
  }
}
