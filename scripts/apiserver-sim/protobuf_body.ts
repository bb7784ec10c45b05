/**
 * Protobuf request bodies the simulator reads: only `coordination.k8s.io/v1` Lease, the one write
 * that node agents send in protobuf on their own heartbeat path (kubelet's and YurtHub's lease
 * renewals; client-go's clientsets write protobuf by default). Other kinds need their schema and
 * stay a 415. LeaseSpec fields (k8s.io/api `coordination/v1/generated.proto`): holderIdentity 1,
 * leaseDurationSeconds 2 (int32), acquireTime 3 and renewTime 4 (MicroTime { seconds 1, nanos 2 }),
 * leaseTransitions 5 (int32), strategy 6, preferredHolder 7.
 * @module
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { decodeEnvelope, requirePlain } from "../../src/kube/protobuf/envelope.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { readObjectMetaDetails } from "../../src/kube/protobuf/object_meta.ts";
import { guard } from "../../src/kube/protobuf/wire.ts";

/** The kinds whose protobuf bodies {@linkcode decodeProtobufBody} reads. */
export const PROTOBUF_BODY_KINDS: readonly string[] = ["coordination.k8s.io/v1 Lease"];

/**
 * The JSON form of an enveloped protobuf object, or undefined for a kind it cannot read. Throws
 * `ProtobufError` for a body that is not well-formed Kubernetes protobuf.
 */
export function decodeProtobufBody(body: Uint8Array): Record<string, unknown> | undefined {
  const envelope = requirePlain(decodeEnvelope(body));
  const { apiVersion, kind, raw } = envelope;
  if (!PROTOBUF_BODY_KINDS.includes(`${apiVersion} ${kind}`)) return undefined;
  return guard("malformed Lease", () => ({
    kind,
    apiVersion,
    metadata: readObjectMetaDetails(raw),
    spec: readLeaseSpec(findBytes(raw, 2) ?? new Uint8Array()),
  }));
}

function readLeaseSpec(message: Uint8Array): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 1) spec.holderIdentity = reader.string();
    else if (wireType === WireType.Varint && fieldNo === 2) {
      spec.leaseDurationSeconds = reader.int32();
    } else if (ld && fieldNo === 3) spec.acquireTime = readMicroTime(reader.bytes());
    else if (ld && fieldNo === 4) spec.renewTime = readMicroTime(reader.bytes());
    else if (wireType === WireType.Varint && fieldNo === 5) spec.leaseTransitions = reader.int32();
    else if (ld && fieldNo === 6) spec.strategy = reader.string();
    else if (ld && fieldNo === 7) spec.preferredHolder = reader.string();
    else reader.skip(wireType, fieldNo);
  }
  return spec;
}

/** A `meta.v1.MicroTime` as its JSON form: RFC 3339 with six fractional digits, UTC. */
function readMicroTime(message: Uint8Array): string {
  let seconds = 0;
  let nanos = 0;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.Varint && fieldNo === 1) seconds = Number(reader.int64());
    else if (wireType === WireType.Varint && fieldNo === 2) nanos = reader.int32();
    else reader.skip(wireType, fieldNo);
  }
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  const micros = String(Math.floor(nanos / 1000)).padStart(6, "0");
  return `${whole}.${micros}Z`;
}
