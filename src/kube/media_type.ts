/**
 * `Accept` parsing and content negotiation for the responses holdfast makes itself, plus the
 * `as=`/`g=`/`v=` transform (Table, PartialObjectMetadata, aggregated discovery) that belongs to a
 * cached query's identity. Pure.
 *
 * Clauses are taken in header order (client-go lists its preference first); `q` only drops
 * clauses with `q=0`. kube-apiserver instead sorts clauses by `q` and puts wildcard ranges last,
 * which gives the same answer for every Accept header client-go, kubectl and kubelet send.
 * @module
 */

/** One clause of an `Accept` header; type, subtype and parameter names are lower-cased. */
export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

/** Kubernetes JSON. */
export const JSON_MEDIA = "application/json";
/** Kubernetes protobuf (`k8s\0` envelope); watches add `;stream=watch`. */
export const PROTOBUF_MEDIA = "application/vnd.kubernetes.protobuf";

const ANY: MediaRange = { type: "*", subtype: "*", params: {}, q: 1 };
const QVALUE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

function parseClause(text: string): MediaRange | undefined {
  const [range, ...rawParams] = text.split(";");
  const fullRange = range.trim().toLowerCase();
  const [type, subtype, extra] = fullRange === "*" ? ["*", "*"] : fullRange.split("/");
  if (!type || !subtype || extra !== undefined) return undefined;
  const params: Record<string, string> = {};
  let q = 1;
  for (const raw of rawParams) {
    const eq = raw.indexOf("=");
    if (eq === -1) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    let value = raw.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    if (name === "") continue;
    if (name === "q") {
      q = QVALUE.test(value) ? Math.min(Number(value), 1) : 0;
    } else {
      params[name] = value;
    }
  }
  return q > 0 ? { type, subtype, params, q } : undefined;
}

/**
 * The clauses of an `Accept` header in header order. Malformed clauses and `q=0` (or an
 * unreadable q) are dropped; a missing or blank header means the any-type range; a lone `*` is
 * read as the any-type range too.
 */
export function parseAccept(header: string | null): MediaRange[] {
  if (header === null || header.trim() === "") return [{ ...ANY, params: {} }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const range = parseClause(part);
    if (range) ranges.push(range);
  }
  return ranges;
}

function essence(mediaType: string): string {
  const semi = mediaType.indexOf(";");
  return (semi === -1 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

/**
 * The first offer accepted by the first matching clause of `accept`, in header order. The
 * any-type range takes the first offer, `type/*` the first offer of that type. Offers are compared
 * on type/subtype only and returned as given. Clauses carrying `as=` are skipped (see
 * {@link transformOf}). `null` means 406 Not Acceptable.
 *
 * @example
 * ```ts
 * negotiate("application/vnd.kubernetes.protobuf,application/json", [JSON_MEDIA, PROTOBUF_MEDIA]);
 * // "application/vnd.kubernetes.protobuf"
 * ```
 */
export function negotiate(accept: string | null, offers: readonly string[]): string | null {
  const essences = offers.map(essence);
  for (const clause of parseAccept(accept)) {
    if (Object.hasOwn(clause.params, "as")) continue;
    for (let i = 0; i < offers.length; i++) {
      if (clause.type === "*" && clause.subtype === "*") return offers[i];
      const [type, subtype] = essences[i].split("/");
      if (clause.type === type && (clause.subtype === "*" || clause.subtype === subtype)) {
        return offers[i];
      }
    }
  }
  return null;
}

/**
 * The transform the first clause asks for, canonically `as=<Kind>;g=<group>;v=<version>`
 * (parts that are absent left out), or "" when the first clause has no `as=` parameter.
 */
export function transformOf(accept: string | null): string {
  const first = parseAccept(accept)[0];
  if (!first || !Object.hasOwn(first.params, "as")) return "";
  const parts = [`as=${first.params.as}`];
  if (Object.hasOwn(first.params, "g")) parts.push(`g=${first.params.g}`);
  if (Object.hasOwn(first.params, "v")) parts.push(`v=${first.params.v}`);
  return parts.join(";");
}

/** Whether a `Content-Type` is Kubernetes protobuf (any parameters, e.g. `stream=watch`). */
export function isProtobuf(contentType: string | null): boolean {
  return contentType !== null && essence(contentType) === PROTOBUF_MEDIA;
}

/** Whether a `Content-Type` is `application/json` (any parameters). */
export function isJson(contentType: string | null): boolean {
  return contentType !== null && essence(contentType) === JSON_MEDIA;
}
