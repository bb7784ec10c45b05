/**
 * What of an answer the differential comparison looks at, with the fields that legitimately vary
 * between two servers (uids, timestamps, resourceVersion numbers, continue tokens, generated
 * names, audit ids) replaced by placeholders: the HTTP code, how the body was framed, the headers
 * that carry meaning, and the body — JSON as a value, a watch stream as its events, protobuf as
 * its envelope and (for a Status) its decoded fields, gzip decoded.
 * @module
 */
import { gunzipSync } from "node:zlib";
import {
  decodeEnvelope,
  decodeStatus,
  FrameSplitter,
  parseWatchEvent,
  replaceField,
} from "../../../src/kube/protobuf/mod.ts";
import { readObjectMetaDetails } from "../../../src/kube/protobuf/object_meta.ts";
import { header, type RawResponse } from "./raw_http.ts";

/** The compared view of one answer, one string per aspect. */
export interface View {
  code: string;
  framing: string;
  headers: string;
  body: string;
}

/** The aspects of a {@link View}. */
export const ASPECTS: readonly (keyof View)[] = ["code", "framing", "headers", "body"];

/** Headers compared by value; others only by presence (`ignored` not at all). */
const BY_VALUE = new Set([
  "content-type",
  "cache-control",
  "content-encoding",
  "vary",
  "x-content-type-options",
  "retry-after",
  "warning",
]);
const IGNORED = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VARYING_KEYS = new Set([
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "time",
  "continue",
  "renewTime",
  "firstTimestamp",
  "lastTimestamp",
  "lastHeartbeatTime",
  "lastTransitionTime",
]);

/** `value` with varying fields replaced by `<key>` placeholders, recursively. */
export function normalizeJson(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeJson(v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "managedFields") continue;
      out[k] = normalizeJson(v, k);
    }
    return out;
  }
  if (typeof value === "string") {
    if (VARYING_KEYS.has(key) && value !== "") return `<${key}>`;
    if (key === "message") return value.replace(/\d{2,}/g, "<n>");
    if (key === "name" && /^node-0\.[0-9a-z]{5}$/.test(value)) return "<generated>";
  }
  return value;
}

/** The compared view of `response`. */
export function viewOf(response: RawResponse): View {
  const headers = response.headers
    .filter(([name]) => !IGNORED.has(name))
    .map(([name, value]) => {
      if (BY_VALUE.has(name)) return `${name}: ${value}`;
      if (UUID.test(value)) return `${name}: <uuid>`;
      return `${name}: <set>`;
    })
    .sort();
  return {
    code: String(response.status),
    framing: response.framing,
    headers: [...new Set(headers)].join("\n"),
    body: describeBody(response),
  };
}

const PROTOBUF = "application/vnd.kubernetes.protobuf";

function describeBody(response: RawResponse): string {
  let body = response.body;
  const parts: string[] = [];
  if (header(response, "content-encoding") === "gzip") {
    parts.push("gzip");
    body = new Uint8Array(gunzipSync(body));
  }
  const type = header(response, "content-type") ?? "";
  if (type.startsWith(PROTOBUF)) {
    parts.push(...(type.includes("stream=watch") ? protobufFrames(body) : [protobufBody(body)]));
  } else if (type.startsWith("application/json") || type === "") {
    parts.push(...jsonBody(body));
  } else parts.push(new TextDecoder().decode(body));
  return parts.join("\n");
}

/** JSON documents of the body (one, or one per watch event line), normalized and stringified. */
function jsonBody(body: Uint8Array): string[] {
  const text = new TextDecoder().decode(body);
  if (!text.trim()) return ["(empty)"];
  try {
    return [stable(normalizeJson(JSON.parse(text)))];
  } catch {
    try {
      return text.trim().split("\n").map((line) => stable(normalizeJson(JSON.parse(line))));
    } catch {
      return [`not JSON: ${text.slice(0, 200)}`];
    }
  }
}

function protobufBody(body: Uint8Array): string {
  if (body.length === 0) return "(empty)";
  try {
    const envelope = decodeEnvelope(body);
    if (envelope.kind === "Status") {
      return `protobuf Status ${stable(normalizeJson(decodeStatus(body)))}`;
    }
    if (envelope.kind.endsWith("List")) return `protobuf ${envelope.apiVersion} ${envelope.kind}`;
    const meta = stable(normalizeJson(readObjectMetaDetails(envelope.raw)));
    // Everything but metadata, byte for byte.
    const rest = hex(replaceField(envelope.raw, [1], []));
    return `protobuf ${envelope.apiVersion} ${envelope.kind} metadata ${meta} rest ${rest}`;
  } catch (error) {
    return `not protobuf: ${error}`;
  }
}

function protobufFrames(body: Uint8Array): string[] {
  const frames: string[] = [];
  new FrameSplitter().push(body, (frame) => {
    const { type, raw } = parseWatchEvent(frame);
    frames.push(`${type} ${protobufBody(raw)}`);
  });
  return frames.length ? frames : ["(no events)"];
}

function hex(bytes: Uint8Array): string {
  const text = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return text.length > 200 ? `${bytes.length} bytes ${text.slice(0, 200)}…` : text;
}

/** JSON with object keys sorted, so that key order never counts as a difference. */
export function stable(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  );
}
