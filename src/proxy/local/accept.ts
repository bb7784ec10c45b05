/**
 * Whether a client's `Accept` header takes a body holdfast has cached: a media type together with
 * the `as=`/`g=`/`v=` transform it was produced for. A transformed body (Table,
 * PartialObjectMetadata, aggregated discovery) is acceptable only under a clause asking for that
 * transform; a plain body only under a clause without `as=`.
 * @module
 */
import { type MediaRange, parseAccept } from "../../kube/media_type.ts";

/** The transform a clause asks for, in the canonical form of `transformOf` ("" for none). */
function clauseTransform(range: MediaRange): string {
  const { params } = range;
  if (!Object.hasOwn(params, "as")) return "";
  const parts = [`as=${params.as}`];
  if (Object.hasOwn(params, "g")) parts.push(`g=${params.g}`);
  if (Object.hasOwn(params, "v")) parts.push(`v=${params.v}`);
  return parts.join(";");
}

/** `mediaType` without parameters, lower-cased. */
export function essenceOf(mediaType: string): string {
  const semi = mediaType.indexOf(";");
  return (semi === -1 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

/**
 * The position of the first clause of `accept` that takes a body of `mediaType` produced for
 * `transform`, or -1 when none does (406). Lower is preferred by the client.
 */
export function acceptRank(accept: string | null, mediaType: string, transform: string): number {
  const [type, subtype] = essenceOf(mediaType).split("/");
  const clauses = parseAccept(accept);
  for (let i = 0; i < clauses.length; i++) {
    const clause = clauses[i];
    if (clauseTransform(clause) !== transform) continue;
    if (clause.type === "*" && clause.subtype === "*") return i;
    if (clause.type === type && (clause.subtype === "*" || clause.subtype === subtype)) return i;
  }
  return -1;
}

/** The Content-Type of a body of `mediaType` produced for `transform`. */
export function contentTypeOf(mediaType: string, transform: string): string {
  return transform === "" ? mediaType : `${mediaType};${transform}`;
}
