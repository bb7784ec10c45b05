/**
 * Reads `meta.v1.ObjectMeta` from any object's own message without a per-type schema: every
 * built-in object has `metadata = 1`. ObjectMeta field numbers (apimachinery
 * `pkg/apis/meta/v1/generated.proto`):
 *
 * name 1, generateName 2, namespace 3, selfLink 4, uid 5, resourceVersion 6, generation 7 (int64),
 * creationTimestamp 8 (Time), deletionTimestamp 9 (Time), deletionGracePeriodSeconds 10 (int64),
 * labels 11 and annotations 12 (map entries { key 1, value 2 }), ownerReferences 13, finalizers 14,
 * managedFields 17. `Time` is { seconds 1 (int64), nanos 2 (int32) }; an empty Time is the zero
 * time. `OwnerReference` is { kind 1, name 3, uid 4, apiVersion 5, controller 6, blockOwnerDeletion 7 }.
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";
import type { ObjectMeta } from "../types.ts";
import { findBytes, readStringMapEntry } from "./message.ts";

/** The metadata holdfast indexes by, read from an object's own message (hot path). */
export function readObjectMeta(object: Uint8Array): ObjectMeta {
  const meta: ObjectMeta = { name: "", namespace: "", resourceVersion: "", uid: "", labels: {} };
  const message = findBytes(object, 1);
  if (message === undefined) return meta;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    switch (fieldNo) {
      case 1:
        meta.name = reader.string();
        break;
      case 3:
        meta.namespace = reader.string();
        break;
      case 5:
        meta.uid = reader.string();
        break;
      case 6:
        meta.resourceVersion = reader.string();
        break;
      case 11:
        readStringMapEntry(reader.bytes(), meta.labels);
        break;
      default:
        reader.skip(wireType, fieldNo);
    }
  }
  return meta;
}

/** An owner reference, shaped as in Kubernetes JSON. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * The whole ObjectMeta except managedFields, shaped as Kubernetes JSON renders it: empty strings,
 * zero generation and empty maps/lists omitted, timestamps as RFC 3339 seconds (null for the
 * zero time), optional pointers present only when set.
 */
export interface ObjectMetaDetails {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

type StringKey = "name" | "generateName" | "namespace" | "selfLink" | "uid" | "resourceVersion";

const STRING_FIELDS: Readonly<Record<number, StringKey>> = {
  1: "name",
  2: "generateName",
  3: "namespace",
  4: "selfLink",
  5: "uid",
  6: "resourceVersion",
};

/** Every ObjectMeta field but managedFields, for callers beyond the index (e.g. timestamps). */
export function readObjectMetaDetails(object: Uint8Array): ObjectMetaDetails {
  const details: ObjectMetaDetails = { creationTimestamp: null };
  const message = findBytes(object, 1);
  if (message === undefined) return details;
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const ownerReferences: OwnerReference[] = [];
  const finalizers: string[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo in STRING_FIELDS) {
      const value = reader.string();
      if (value !== "") details[STRING_FIELDS[fieldNo]] = value;
    } else if (wireType === WireType.Varint && fieldNo === 7) {
      const generation = Number(reader.int64());
      if (generation !== 0) details.generation = generation;
    } else if (ld && fieldNo === 8) {
      details.creationTimestamp = readTime(reader.bytes());
    } else if (ld && fieldNo === 9) {
      details.deletionTimestamp = readTime(reader.bytes());
    } else if (wireType === WireType.Varint && fieldNo === 10) {
      details.deletionGracePeriodSeconds = Number(reader.int64());
    } else if (ld && fieldNo === 11) {
      readStringMapEntry(reader.bytes(), labels);
    } else if (ld && fieldNo === 12) {
      readStringMapEntry(reader.bytes(), annotations);
    } else if (ld && fieldNo === 13) {
      ownerReferences.push(readOwnerReference(reader.bytes()));
    } else if (ld && fieldNo === 14) {
      finalizers.push(reader.string());
    } else {
      reader.skip(wireType, fieldNo);
    }
  }
  if (Object.keys(labels).length > 0) details.labels = labels;
  if (Object.keys(annotations).length > 0) details.annotations = annotations;
  if (ownerReferences.length > 0) details.ownerReferences = ownerReferences;
  if (finalizers.length > 0) details.finalizers = finalizers;
  return details;
}

/** A `meta.v1.Time` as RFC 3339 with whole seconds (as its JSON form), null for the zero time. */
export function readTime(message: Uint8Array): string | null {
  if (message.length === 0) return null;
  let seconds = 0;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.Varint && fieldNo === 1) seconds = Number(reader.int64());
    else reader.skip(wireType, fieldNo);
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function readOwnerReference(message: Uint8Array): OwnerReference {
  const ref: OwnerReference = { apiVersion: "", kind: "", name: "", uid: "" };
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 1) ref.kind = reader.string();
    else if (ld && fieldNo === 3) ref.name = reader.string();
    else if (ld && fieldNo === 4) ref.uid = reader.string();
    else if (ld && fieldNo === 5) ref.apiVersion = reader.string();
    else if (wireType === WireType.Varint && fieldNo === 6) ref.controller = reader.bool();
    else if (wireType === WireType.Varint && fieldNo === 7) ref.blockOwnerDeletion = reader.bool();
    else reader.skip(wireType, fieldNo);
  }
  return ref;
}
