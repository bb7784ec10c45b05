/**
 * Node leases written locally while the cloud is unreachable (kubelet's heartbeat in
 * `kube-node-lease`), kept in Deno KV so that every offline lease GET/create/update sees the lease
 * the previous one wrote, across restarts too. Writes are compare-and-set on the stored entry, so
 * two concurrent updates cannot both succeed.
 * @module
 */
import { leaseKey } from "../cache/keys.ts";
import type { RawObject } from "../kube/types.ts";

/** A lease as holdfast last answered it, in the wire format it was written in. */
export interface LocalLease extends RawObject {
  mediaType: string;
  /** When it was written (ms since the epoch). */
  storedAt: number;
}

/** A read of one lease slot: the lease (null if none) and the version to write against. */
export interface LeaseSlot {
  lease: LocalLease | null;
  versionstamp: string | null;
}

/** Reads the lease `namespace/name` written locally (by `identity`, when not the node). */
export async function readLocalLease(
  kv: Deno.Kv,
  namespace: string,
  name: string,
  identity?: string,
): Promise<LeaseSlot> {
  const entry = await kv.get<LocalLease>(leaseKey({ namespace, name, identity }));
  return { lease: entry.value, versionstamp: entry.versionstamp };
}

/**
 * Writes `lease` as `namespace/name` if the slot is unchanged since `read`; resolves to false
 * when another write came first.
 */
export async function writeLocalLease(
  kv: Deno.Kv,
  namespace: string,
  name: string,
  read: LeaseSlot,
  lease: LocalLease,
  identity?: string,
): Promise<boolean> {
  const key = leaseKey({ namespace, name, identity });
  const result = await kv.atomic().check({ key, versionstamp: read.versionstamp }).set(key, lease)
    .commit();
  return result.ok;
}
