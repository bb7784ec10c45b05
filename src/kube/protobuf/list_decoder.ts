/**
 * Streaming decoder for protobuf list bodies (`*List` inside the envelope): `k8s\0`, then
 * `Unknown { typeMeta 1, raw 2 { metadata(ListMeta) 1, items 2… }, contentEncoding 3,
 * contentType 4 }`. Items are handed out as soon as their bytes have arrived, as views of the
 * received chunks (copied only when an item spans chunks) — never re-encoded. Only one element is
 * buffered at a time, capped by `maxElementBytes`; unknown fields are skipped as they stream by.
 * @module
 */
import { WireType } from "./binary.ts";
import type { ListPart } from "../types.ts";
import { ByteQueue } from "../../streams/byte_queue.ts";
import { decodeTypeMeta, hasMagic, MAGIC, type TypeMeta } from "./envelope.ts";
import { readListMeta } from "./list_meta.ts";
import { toRawObject } from "./object.ts";
import { orderedTransform } from "../../streams/ordered_transform.ts";
import { guard, MAX_ELEMENT_HEADER_BYTES, peekElementHeader, ProtobufError } from "./wire.ts";

/** Default cap on one buffered element (an item, the ListMeta, the typeMeta): 16 MiB. */
export const DEFAULT_MAX_ELEMENT_BYTES = 16 * 1024 * 1024;

/** Options of the list decoder. */
export interface ListDecoderOptions {
  /** Largest single element (an item) accepted; larger ones fail the stream. */
  maxElementBytes?: number;
}

type State = "magic" | "envelope" | "list" | "skip";

/** Incremental list parser: push chunks, get parts through `emit`; call `finish` at the end. */
export class ListParser {
  #queue = new ByteQueue();
  #maxElementBytes: number;
  #state: State = "magic";
  #typeMeta: TypeMeta | undefined;
  #itemTypeMeta: TypeMeta = { apiVersion: "", kind: "" };
  #sawList = false;
  #sawMeta = false;
  #listLeft = 0;
  #skipLeft = 0;
  #afterSkip: State = "envelope";

  /** Creates a parser; see `ListDecoderOptions`. */
  constructor(options: ListDecoderOptions = {}) {
    this.#maxElementBytes = options.maxElementBytes ?? DEFAULT_MAX_ELEMENT_BYTES;
  }

  /** Consumes `chunk`, emitting every part completed by it, in order. */
  push(chunk: Uint8Array, emit: (part: ListPart) => void): void {
    this.#queue.push(chunk);
    while (this.#step(emit));
  }

  /** Checks that the body ended cleanly after a complete list. */
  finish(): void {
    if (this.#state !== "envelope" || this.#queue.length > 0) {
      throw new ProtobufError("truncated protobuf list body");
    }
    if (!this.#sawList) throw new ProtobufError("protobuf list body carries no list");
  }

  #step(emit: (part: ListPart) => void): boolean {
    const queue = this.#queue;
    switch (this.#state) {
      case "magic":
        if (queue.length < MAGIC.length) return false;
        if (!hasMagic(queue.take(MAGIC.length))) {
          throw new ProtobufError(
            "not a Kubernetes protobuf body: the k8s\\0 magic prefix is missing",
          );
        }
        this.#state = "envelope";
        return true;
      case "skip":
        this.#skipLeft -= queue.discard(this.#skipLeft);
        if (this.#skipLeft > 0) return false;
        this.#state = this.#afterSkip;
        return true;
      case "list":
        if (this.#listLeft === 0) {
          if (!this.#sawMeta) throw new ProtobufError("protobuf list has no ListMeta");
          this.#state = "envelope";
          return true;
        }
        return this.#element(emit);
      case "envelope":
        return this.#element(emit);
    }
  }

  #element(emit: (part: ListPart) => void): boolean {
    const queue = this.#queue;
    if (queue.length === 0) return false;
    const header = peekElementHeader(queue.peek(Math.min(queue.length, MAX_ELEMENT_HEADER_BYTES)));
    if (header === undefined) return false;
    const { fieldNo, wireType, headerLength, bodyLength } = header;
    const size = headerLength + bodyLength;
    const inList = this.#state === "list";
    if (inList && size > this.#listLeft) {
      throw new ProtobufError(`field ${fieldNo} overruns the protobuf list`);
    }
    const known = wireType === WireType.LengthDelimited && (inList ? fieldNo <= 2 : fieldNo <= 4);
    if (!known) {
      if (inList) this.#listLeft -= size;
      queue.discard(headerLength);
      this.#skipLeft = bodyLength;
      this.#afterSkip = this.#state;
      this.#state = "skip";
      return true;
    }
    if (!inList && fieldNo === 2) {
      queue.discard(headerLength);
      this.#startList(bodyLength);
      return true;
    }
    if (bodyLength > this.#maxElementBytes) {
      throw new ProtobufError(
        `protobuf list element of ${bodyLength} bytes exceeds the ${this.#maxElementBytes} byte limit`,
      );
    }
    if (queue.length < size) return false;
    if (inList) this.#listLeft -= size;
    queue.discard(headerLength);
    const body = queue.take(bodyLength);
    if (inList) this.#listElement(fieldNo, body, emit);
    else this.#envelopeElement(fieldNo, body);
    return true;
  }

  #startList(length: number): void {
    const typeMeta = this.#typeMeta;
    if (typeMeta === undefined) throw new ProtobufError("protobuf list: raw precedes typeMeta");
    if (this.#sawList) throw new ProtobufError("protobuf list body carries two lists");
    if (!typeMeta.kind.endsWith("List")) {
      throw new ProtobufError(`expected a protobuf list, got kind "${typeMeta.kind}"`);
    }
    this.#itemTypeMeta = { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind.slice(0, -4) };
    this.#sawList = true;
    this.#listLeft = length;
    this.#state = "list";
  }

  #envelopeElement(fieldNo: number, body: Uint8Array): void {
    if (fieldNo === 1) {
      this.#typeMeta = guard("malformed protobuf typeMeta", () => decodeTypeMeta(body));
    } else if (body.length > 0) {
      const name = fieldNo === 3 ? "contentEncoding" : "contentType";
      throw new ProtobufError(`unsupported protobuf envelope ${name}`);
    }
  }

  #listElement(fieldNo: number, body: Uint8Array, emit: (part: ListPart) => void): void {
    if (fieldNo === 1) {
      if (this.#sawMeta) throw new ProtobufError("protobuf list has two ListMeta fields");
      const fields = guard("malformed protobuf ListMeta", () => readListMeta(body));
      const { apiVersion, kind } = this.#typeMeta!;
      this.#sawMeta = true;
      emit({ type: "meta", meta: { apiVersion, kind, ...fields } });
      return;
    }
    if (!this.#sawMeta) throw new ProtobufError("protobuf list items precede the ListMeta");
    emit({ type: "item", object: toRawObject(this.#itemTypeMeta, body) });
  }
}

/**
 * A list body, split at arbitrary chunk boundaries, in; its ListMeta part then its items out. A
 * malformed or truncated body errors the stream after the parts decoded before the fault.
 */
export function protobufListDecoder(
  options: ListDecoderOptions = {},
): TransformStream<Uint8Array, ListPart> {
  return orderedTransform(new ListParser(options));
}

/** Decodes a whole list body at once (items are views of `body`). */
export function decodeList(body: Uint8Array, options: ListDecoderOptions = {}): ListPart[] {
  const parts: ListPart[] = [];
  const parser = new ListParser(options);
  parser.push(body, (part) => parts.push(part));
  parser.finish();
  return parts;
}
