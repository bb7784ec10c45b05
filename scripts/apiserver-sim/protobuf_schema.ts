/**
 * The protobuf schemas of the kinds whose request bodies the simulator reads: the writes node
 * agents and client-go programs send in protobuf (client-go's clientsets write protobuf by
 * default). Field numbers are those of k8s.io/api's `generated.proto` (v0.37); ObjectMeta (field
 * 1 of every kind) is read by holdfast's own reader. Fields not listed here (NodeSpec
 * configSource and podPreemptionPolicy, NodeStatus config, runtimeHandlers, features,
 * declaredFeatures and nodeInfo's swap and runningInUserNamespace) are skipped.
 * @module
 */

/** How one field's value is encoded. */
export type FieldType =
  | "string"
  | "int32"
  | "int64"
  | "bool"
  /** `bytes`, base64 in JSON. */
  | "bytes"
  /** `meta.v1.Time`, RFC 3339 seconds in JSON. */
  | "time"
  /** `meta.v1.MicroTime`, RFC 3339 with six fractional digits in JSON. */
  | "microtime"
  /** `resource.Quantity` { string 1 }, its string in JSON. */
  | "quantity"
  /** `util.intstr.IntOrString` { type 1, intVal 2, strVal 3 }, a number or a string in JSON. */
  | "intOrString"
  | MessageSchema;

/**
 * One field: its JSON name and type; repeated, or a map from string keys to `type`, or an
 * embedded message whose fields JSON inlines into the parent (Go's embedded structs, e.g. a
 * Volume's VolumeSource; `name` is then unused).
 */
export interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  map?: boolean;
  inline?: boolean;
}

/** A message: its fields by number. */
export type MessageSchema = Readonly<Record<number, Field>>;

/** A singular field. */
export const field = (name: string, type: FieldType = "string"): Field => ({ name, type });
/** A repeated field. */
export const repeated = (name: string, type: FieldType = "string"): Field => ({
  name,
  type,
  repeated: true,
});
/** A map from string keys to `type`. */
export const map = (name: string, type: FieldType = "string"): Field => ({ name, type, map: true });

const OBJECT_REFERENCE: MessageSchema = {
  1: field("kind"),
  2: field("namespace"),
  3: field("name"),
  4: field("uid"),
  5: field("apiVersion"),
  6: field("resourceVersion"),
  7: field("fieldPath"),
};
const EVENT_SOURCE: MessageSchema = { 1: field("component"), 2: field("host") };
const EVENT_SERIES: MessageSchema = {
  1: field("count", "int32"),
  2: field("lastObservedTime", "microtime"),
};

const NODE_SPEC: MessageSchema = {
  1: field("podCIDR"),
  2: field("externalID"),
  3: field("providerID"),
  4: field("unschedulable", "bool"),
  5: repeated("taints", {
    1: field("key"),
    2: field("value"),
    3: field("effect"),
    4: field("timeAdded", "time"),
  }),
  7: repeated("podCIDRs"),
};

const NODE_STATUS: MessageSchema = {
  1: map("capacity", "quantity"),
  2: map("allocatable", "quantity"),
  3: field("phase"),
  4: repeated("conditions", {
    1: field("type"),
    2: field("status"),
    3: field("lastHeartbeatTime", "time"),
    4: field("lastTransitionTime", "time"),
    5: field("reason"),
    6: field("message"),
  }),
  5: repeated("addresses", { 1: field("type"), 2: field("address") }),
  6: field("daemonEndpoints", { 1: field("kubeletEndpoint", { 1: field("Port", "int32") }) }),
  7: field("nodeInfo", {
    1: field("machineID"),
    2: field("systemUUID"),
    3: field("bootID"),
    4: field("kernelVersion"),
    5: field("osImage"),
    6: field("containerRuntimeVersion"),
    7: field("kubeletVersion"),
    8: field("kubeProxyVersion"),
    9: field("operatingSystem"),
    10: field("architecture"),
  }),
  8: repeated("images", { 1: repeated("names"), 2: field("sizeBytes", "int64") }),
  9: repeated("volumesInUse"),
  10: repeated("volumesAttached", { 1: field("name"), 2: field("devicePath") }),
};

/** The body schema (all but metadata) of each kind read, by `apiVersion kind`. */
export const BODY_SCHEMAS: Readonly<Record<string, MessageSchema>> = {
  "v1 ConfigMap": { 2: map("data"), 3: map("binaryData", "bytes"), 4: field("immutable", "bool") },
  "v1 Secret": {
    2: map("data", "bytes"),
    3: field("type"),
    4: map("stringData"),
    5: field("immutable", "bool"),
  },
  "v1 Node": { 2: field("spec", NODE_SPEC), 3: field("status", NODE_STATUS) },
  "v1 Event": {
    2: field("involvedObject", OBJECT_REFERENCE),
    3: field("reason"),
    4: field("message"),
    5: field("source", EVENT_SOURCE),
    6: field("firstTimestamp", "time"),
    7: field("lastTimestamp", "time"),
    8: field("count", "int32"),
    9: field("type"),
    10: field("eventTime", "microtime"),
    11: field("series", EVENT_SERIES),
    12: field("action"),
    13: field("related", OBJECT_REFERENCE),
    14: field("reportingComponent"),
    15: field("reportingInstance"),
  },
  "events.k8s.io/v1 Event": {
    2: field("eventTime", "microtime"),
    3: field("series", EVENT_SERIES),
    4: field("reportingController"),
    5: field("reportingInstance"),
    6: field("action"),
    7: field("reason"),
    8: field("regarding", OBJECT_REFERENCE),
    9: field("related", OBJECT_REFERENCE),
    10: field("note"),
    11: field("type"),
    12: field("deprecatedSource", EVENT_SOURCE),
    13: field("deprecatedFirstTimestamp", "time"),
    14: field("deprecatedLastTimestamp", "time"),
    15: field("deprecatedCount", "int32"),
  },
  "coordination.k8s.io/v1 Lease": {
    2: field("spec", {
      1: field("holderIdentity"),
      2: field("leaseDurationSeconds", "int32"),
      3: field("acquireTime", "microtime"),
      4: field("renewTime", "microtime"),
      5: field("leaseTransitions", "int32"),
      6: field("strategy"),
      7: field("preferredHolder"),
    }),
  },
};
