/**
 * The token identities the cloud has accepted through this node, kept beside the cache so that,
 * offline, holdfast can tell a credential it has seen work (answered from its own cached answers,
 * or 403) from one it has never seen (401): it cannot ask the cloud. Only identities are kept
 * (`token:<hmac>`), never tokens.
 *
 * | key | value |
 * |---|---|
 * | `callers <identity>` | ms since the epoch when the cloud first accepted it |
 * @module
 */

const PREFIX = "callers";

/** Remembers accepted identities in `kv`, writing each at most once per process. */
export class AcceptedCallers {
  readonly #kv: Deno.Kv;
  readonly #known = new Set<string>();

  /** Keeps its records in `kv`. */
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Records that the cloud accepted `identity`; settles once stored (never rejects: a failed
   * write only costs a 401 offline after the next restart).
   */
  async accepted(identity: string): Promise<void> {
    if (this.#known.has(identity)) return;
    this.#known.add(identity);
    await this.#kv.set([PREFIX, identity], Date.now()).catch(() => this.#known.delete(identity));
  }

  /** Whether the cloud has accepted `identity` through this node. */
  async isKnown(identity: string): Promise<boolean> {
    if (this.#known.has(identity)) return true;
    const entry = await this.#kv.get([PREFIX, identity]);
    if (entry.versionstamp === null) return false;
    this.#known.add(identity);
    return true;
  }
}
