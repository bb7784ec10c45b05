/**
 * Content negotiation for the simulator's answers: which codec, and which transform the client's
 * `Accept` asks for (`as=Table`, `as=PartialObjectMetadata[List]` of meta.k8s.io, aggregated
 * discovery `as=APIGroupDiscoveryList` of apidiscovery.k8s.io), clause by clause in header order.
 * @module
 */
import { type MediaRange, negotiate, parseAccept } from "../../src/kube/media_type.ts";
import type { ServingCodec } from "./encoding.ts";

/** What the answer's objects become. */
export type Transform = "" | "Table" | "PartialObjectMetadata";

/** A negotiated answer format; `contentType` is what to send. */
export interface Representation {
  codec: ServingCodec;
  transform: Transform;
  /** The transform's meta.k8s.io version (`v1`, `v1beta1`), "" without a transform. */
  version: string;
}

function accepts(clause: MediaRange, codec: ServingCodec): boolean {
  return negotiate(`${clause.type}/${clause.subtype}`, [codec.mediaType]) !== null;
}

/** The representation for a resource answer, or undefined (406 Not Acceptable). */
export function chooseRepresentation(
  accept: string | null,
  codecs: readonly ServingCodec[],
): Representation | undefined {
  for (const clause of parseAccept(accept)) {
    const as = clause.params.as;
    if (as === undefined) {
      const codec = codecs.find((c) => accepts(clause, c));
      if (codec) return { codec, transform: "", version: "" };
      continue;
    }
    const json = codecs[0];
    if (clause.params.g !== "meta.k8s.io" || !accepts(clause, json)) continue;
    const version = clause.params.v ?? "";
    if (version !== "v1" && version !== "v1beta1") continue;
    if (as === "Table") return { codec: json, transform: "Table", version };
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") {
      return { codec: json, transform: "PartialObjectMetadata", version };
    }
  }
  return undefined;
}

/**
 * The aggregated discovery version (`v2` or `v2beta1`) `accept` asks for before any plain JSON
 * clause, or "" for the legacy documents.
 */
export function aggregatedDiscoveryVersion(accept: string | null): string {
  for (const clause of parseAccept(accept)) {
    const { as, g, v } = clause.params;
    if (as === undefined) return "";
    if (
      as === "APIGroupDiscoveryList" && g === "apidiscovery.k8s.io" &&
      (v === "v2" || v === "v2beta1")
    ) {
      return v;
    }
  }
  return "";
}
