/**
 * Which cached query snapshot can answer a list or watch, and which of its objects the request
 * selects. A complete, non-stale snapshot of the same component and resource covers a request when
 * its namespace is "" or the same, and each of its label and field selectors is empty or the
 * same; the request's own selectors are then evaluated locally on the stored labels and fields.
 * @module
 */
import type { CacheStore } from "../../cache/store.ts";
import { gvrOf, isServable, type QueryIdentity, type QueryRecord } from "../../cache/query.ts";
import { codecFor } from "../../kube/codecs.ts";
import type { WireCodec } from "../../kube/codec.ts";
import { type FieldSelector, matchesFields } from "../../kube/field_selector.ts";
import { type LabelSelector, matchesLabels } from "../../kube/label_selector.ts";
import { notAcceptable, serviceUnavailable, type Status } from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";
import { isNewer } from "../../kube/resource_version.ts";
import { acceptRank, contentTypeOf } from "./accept.ts";

/** The snapshot chosen to answer a request, and the codec of its stored objects. */
export interface Chosen {
  record: QueryRecord;
  codec: WireCodec;
}

/** Whether `record` holds every object `query` selects. */
export function covers(record: QueryRecord, query: QueryIdentity): boolean {
  return (record.namespace === "" || record.namespace === query.namespace) &&
    (record.labelSelector === "" || record.labelSelector === query.labelSelector) &&
    (record.fieldSelector === "" || record.fieldSelector === query.fieldSelector);
}

function exactness(record: QueryRecord, query: QueryIdentity): number {
  return Number(record.namespace === query.namespace) +
    Number(record.labelSelector === query.labelSelector) +
    Number(record.fieldSelector === query.fieldSelector);
}

/**
 * The servable snapshot of this component that covers `query` in a format the client accepts,
 * preferring the client's preferred format, then the narrowest snapshot. Otherwise a Status:
 * 503 (never listed, or stale) or 406 (only in formats the client does not take).
 */
export async function chooseSnapshot(
  store: CacheStore,
  query: QueryIdentity,
  accept: string | null,
  retryAfter: number,
): Promise<Chosen | Status> {
  const records = (await store.queries(query.component, gvrOf(query)))
    .filter((r) => isServable(r) && covers(r, query));
  if (records.length === 0) {
    return serviceUnavailable(
      `holdfast has no complete copy of this ${query.resource} list and the cloud is unreachable`,
      retryAfter,
    );
  }
  let best: { record: QueryRecord; codec: WireCodec; rank: number; exact: number } | undefined;
  for (const record of records) {
    const codec = codecFor(record.mediaType);
    const rank = acceptRank(accept, record.mediaType, record.transform);
    if (!codec || rank < 0) continue;
    const exact = exactness(record, query);
    if (!best || rank < best.rank || (rank === best.rank && exact > best.exact)) {
      best = { record, codec, rank, exact };
    }
  }
  if (!best) {
    const formats = [...new Set(records.map((r) => contentTypeOf(r.mediaType, r.transform)))];
    return notAcceptable(formats.join(", "));
  }
  return { record: best.record, codec: best.codec };
}

/**
 * {@link chooseSnapshot} for a request at `resourceVersion`: when the chosen snapshot is older, it
 * waits up to `waitMs` for the cache to reach that version, as kube-apiserver's watch cache waits
 * before answering "Too large resource version". The client may have read a response (a watch
 * event, a list) whose cache branch is still being stored; answering at once would send it back
 * to relist for nothing.
 */
export async function chooseSnapshotAt(
  store: CacheStore,
  query: QueryIdentity,
  accept: string | null,
  retryAfter: number,
  resourceVersion: string,
  waitMs: number,
): Promise<Chosen | Status> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const chosen = await chooseSnapshot(store, query, accept, retryAfter);
    if ("kind" in chosen || !isBehind(chosen.record, resourceVersion)) return chosen;
    if (Date.now() >= deadline) return chosen;
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
}

/** Whether the snapshot is older than an explicit `resourceVersion` a request asks for. */
export function isBehind(record: QueryRecord, resourceVersion: string): boolean {
  return resourceVersion !== "" && resourceVersion !== "0" &&
    isNewer(resourceVersion, record.resourceVersion);
}

const CATCH_UP_POLL_MS = 25;

/** What a request selects within a snapshot. */
export interface Selection {
  namespace: string;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
}

/**
 * A predicate for the objects of `record` that `selection` selects; selectors the snapshot
 * already applied are not evaluated again.
 */
export function selectionFilter(
  record: QueryRecord,
  query: QueryIdentity,
  selection: Selection,
): (object: RawObject) => boolean {
  const namespace = record.namespace === "" && selection.namespace !== ""
    ? selection.namespace
    : undefined;
  const labels = record.labelSelector === query.labelSelector ? [] : selection.labelSelector;
  const fields = record.fieldSelector === query.fieldSelector ? [] : selection.fieldSelector;
  return (object) =>
    (namespace === undefined || object.meta.namespace === namespace) &&
    (labels.length === 0 || matchesLabels(labels, object.meta.labels)) &&
    (fields.length === 0 || matchesFields(fields, object.fields));
}

/**
 * Whether the absence of object `name` from a servable snapshot proves it does not exist: the
 * snapshot covers the object's namespace and selects by nothing but that name (or namespace).
 */
export function provesAbsence(record: QueryRecord, namespace: string, name: string): boolean {
  if (!isServable(record) || record.labelSelector !== "") return false;
  if (record.namespace !== "" && record.namespace !== namespace) return false;
  if (record.fieldSelector === "") return true;
  return record.fieldSelector.split(",").every((term) =>
    term === `metadata.name=${name}` || term === `metadata.namespace=${namespace}`
  );
}
