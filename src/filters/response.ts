/**
 * Approval: which filters apply to a response — by component (User-Agent), resource and verb, as
 * YurtHub's approver decides — and the transform that applies them for the response's encoding
 * and shape (list, watch, single object). holdfast's own requests are never filtered, nor error
 * responses, subresources, or `as=` renderings (Table, PartialObjectMetadata).
 * @module
 */
import { isJson, isProtobuf } from "../kube/media_type.ts";
import type { ResponseFilter } from "./chain.ts";
import { type PreparedFilter, prepareFilter } from "./edit.ts";
import type { ObjectFilter } from "./filter.ts";
import { jsonListTransform, jsonObjectTransform, jsonWatchTransform } from "./json_transforms.ts";
import {
  protobufListTransform,
  protobufObjectTransform,
  protobufWatchTransform,
} from "./protobuf_transforms.ts";

/** A filter and the components whose responses it applies to. */
export interface ApprovedFilter {
  filter: ObjectFilter;
  components: ReadonlySet<string>;
}

/** The component holdfast's own requests carry: never filtered. */
const OWN_COMPONENT = "holdfast";

type Shape = "get" | "list" | "watch";
type Transforms = Record<Shape, (filters: readonly PreparedFilter[]) => TransformStream>;

const JSON_TRANSFORMS: Transforms = {
  get: jsonObjectTransform,
  list: jsonListTransform,
  watch: jsonWatchTransform,
};

const PROTOBUF_TRANSFORMS: Transforms = {
  get: protobufObjectTransform,
  list: protobufListTransform,
  watch: protobufWatchTransform,
};

/** One `ResponseFilter` applying every approved filter a response qualifies for. */
export function responseFilter(approved: readonly ApprovedFilter[]): ResponseFilter {
  const prepared = approved.map(({ filter, components }) => ({
    components,
    prepared: prepareFilter(filter),
  }));
  return (request, response) => {
    const { info, component } = request;
    if (!response.ok || !info.isResourceRequest || info.subresource !== "") return undefined;
    if (component === "" || component === OWN_COMPONENT) return undefined;
    const verb = info.verb;
    if (verb !== "get" && verb !== "list" && verb !== "watch") return undefined;
    const applicable = prepared
      .filter(({ components, prepared }) =>
        components.has(component) && prepared.filter.verbs[info.resource]?.includes(verb)
      )
      .map(({ prepared }) => prepared);
    if (applicable.length === 0) return undefined;
    const contentType = response.headers.get("content-type");
    if (contentType?.includes("as=")) return undefined;
    const transforms = isJson(contentType)
      ? JSON_TRANSFORMS
      : isProtobuf(contentType)
      ? PROTOBUF_TRANSFORMS
      : undefined;
    return transforms?.[verb](applicable);
  };
}
