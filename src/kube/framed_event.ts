/**
 * Framed watch events (`FramedEvent`) for decoders that decode every event as they frame it.
 * Pure: no I/O.
 * @module
 */
import type { FramedEvent, WatchEvent, WatchEventType } from "./types.ts";

/** The `namespace/name` key of a decoded event's object; undefined when it has no name. */
export function eventKey(event: WatchEvent): string | undefined {
  const { name, namespace } = event.object.meta;
  return name === "" ? undefined : `${namespace}/${name}`;
}

/** `event`, already decoded, as a framed event: single, and replaceable by a later change. */
export function decodedFrame(event: WatchEvent): FramedEvent {
  return new DecodedFrame(event);
}

class DecodedFrame implements FramedEvent {
  readonly type: WatchEventType;
  readonly key: string | undefined;
  readonly size: number;
  readonly #event: WatchEvent;

  constructor(event: WatchEvent) {
    this.type = event.type;
    this.key = eventKey(event);
    this.size = event.object.bytes.byteLength;
    this.#event = event;
  }

  replaceable(): boolean {
    return true;
  }

  decode(): WatchEvent[] {
    return [this.#event];
  }
}
