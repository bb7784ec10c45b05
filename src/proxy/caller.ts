/**
 * Who a request is, for the cache. Every cached answer belongs to the identity that asked the
 * cloud for it, and offline only that identity (or one `identityAliases` maps to it) reads it:
 *
 * - `node`: a request sent upstream as the node (no credential, admitted by the anonymous policy,
 *   or a client certificate mapped to the node). Its answers live under the component alone, as
 *   every cache written before identities were recorded does;
 * - `token:<id>`: a client's own bearer token, `id` being a keyed hash (HMAC-SHA256 under a
 *   node-local secret) of the token, so the cache never holds a token or anything that could be
 *   checked against a guess without the secret;
 * - `cert:<subject>`: a verified client certificate on the HTTPS listener.
 *
 * Answers of an identity other than the node are kept apart in its own cache partition
 * (`cache/partition.ts`).
 * @module
 */
import { cachePartition, NODE_IDENTITY } from "../cache/partition.ts";
import { type Classified, isResourceRequest } from "./classify.ts";
import { bearerToken, type UpstreamAs } from "./credential.ts";

/** The token identities remembered at most (a cache of HMACs, cleared when full). */
const MAX_REMEMBERED_TOKENS = 1024;

/** Bytes of the HMAC kept in a token identity (128 bits). */
const TOKEN_ID_BYTES = 16;

/** A request's identity for the cache, and whether holdfast can vouch for it without the cloud. */
export interface Caller {
  identity: string;
  vouched: boolean;
}

/** Names the identity of each request, with the node-local secret and the configured aliases. */
export class CallerIdentities {
  readonly #key: CryptoKey;
  readonly #aliases: ReadonlyMap<string, string>;
  readonly #tokens = new Map<string, string>();

  /** `key` is an HMAC-SHA256 key; `aliases` maps identities to the one whose cache they read. */
  constructor(key: CryptoKey, aliases: ReadonlyMap<string, string> = new Map()) {
    this.#key = key;
    this.#aliases = aliases;
  }

  /**
   * The identity whose cache a request reads and fills: `node` for requests sent as the node,
   * otherwise its token's identity, after `identityAliases`. `vouched` is false for a token
   * that only the cloud can vouch for (one no alias names).
   */
  async of(as: UpstreamAs, authorization: string | null): Promise<Caller> {
    if (as === "node" || authorization === null) return { identity: NODE_IDENTITY, vouched: true };
    const identity = await this.tokenIdentity(bearerToken(authorization));
    const alias = this.#aliases.get(identity);
    return alias === undefined ? { identity, vouched: false } : { identity: alias, vouched: true };
  }

  /** `token:<id>` for a bearer token. */
  async tokenIdentity(token: string): Promise<string> {
    const known = this.#tokens.get(token);
    if (known) return known;
    const mac = await crypto.subtle.sign("HMAC", this.#key, new TextEncoder().encode(token));
    const hex = [...new Uint8Array(mac, 0, TOKEN_ID_BYTES)]
      .map((byte) => byte.toString(16).padStart(2, "0")).join("");
    const identity = `token:${hex}`;
    if (this.#tokens.size >= MAX_REMEMBERED_TOKENS) this.#tokens.clear();
    this.#tokens.set(token, identity);
    return identity;
  }
}

/** `classified` for a request made by `identity`: its query and Table kept in its partition. */
export function asCaller(classified: Classified, identity: string): Classified {
  if (identity === NODE_IDENTITY) return classified;
  const caller: Classified = { ...classified, identity };
  if (!isResourceRequest(caller)) return caller;
  if (caller.query) {
    caller.query = { ...caller.query, component: cachePartition(caller.query.component, identity) };
  }
  if (caller.table) caller.table = { ...caller.table, path: `${identity} ${caller.table.path}` };
  return caller;
}
