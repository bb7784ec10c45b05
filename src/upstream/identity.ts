/**
 * Who a request is upstream: the node (its client certificate and token), or a client bearing
 * its own token, which goes through a client without the node's certificate so the two never
 * travel together. The node's files are re-checked on a timer (never per request): when the token,
 * certificate, key or CA file changes on disk (rotation), the new ones are read, checked and used
 * for every request from then on; requests already under way finish on the old connection.
 * @module
 */
import type { UpstreamCredentials } from "../config/types.ts";
import { holdsPem } from "../config/pem.ts";
import { createUpstreamClient } from "./client.ts";

/** The fetch clients and the node's `Authorization` value, as they are right now. */
export interface UpstreamIdentity {
  /** The client carrying the node's certificate (when it has one). */
  readonly nodeClient: Deno.HttpClient;
  /** `Bearer <node token>`, or `null` when the node has no token. */
  readonly nodeAuthorization: string | null;
  /** A client without the node's certificate, for requests bearing their own token. */
  readonly plainClient: Deno.HttpClient;
}

/** How the node's credential files are watched. */
export interface RotationOptions {
  /** Time between checks of the files' modification stamps. */
  intervalMs: number;
  /** Told after new credentials were read and put to use. */
  onRotate(files: string[]): void;
  /** Told once per distinct problem while changed files cannot be used (the old ones stay). */
  onError(message: string): void;
}

/** Old clients stay open this long after a rotation, for requests that had just picked them. */
const RETIRE_AFTER_MS = 60_000;

/** Files modified this recently are read again at the next check, whatever their stamp. */
const RECENT_MS = 2_000;

type FileField = "caFile" | "clientCertFile" | "clientKeyFile" | "tokenFile";
const FILE_FIELDS: readonly FileField[] = [
  "caFile",
  "clientCertFile",
  "clientKeyFile",
  "tokenFile",
];

/** The node's identity, kept current as its files rotate. */
export class NodeIdentity implements UpstreamIdentity {
  #credentials: UpstreamCredentials;
  #nodeClient!: Deno.HttpClient;
  #plainClient!: Deno.HttpClient;
  #authorization: string | null = null;
  /** Modification stamp per watched file, as last put to use. */
  #stamps = new Map<string, string>();
  #timer?: ReturnType<typeof setTimeout>;
  #checking?: Promise<void>;
  #lastError?: string;
  #retired = new Map<Deno.HttpClient, ReturnType<typeof setTimeout>>();
  #closed = false;

  /** Builds the clients from credentials already read and checked (throws on unusable PEM). */
  constructor(credentials: UpstreamCredentials) {
    this.#credentials = credentials;
    this.#use(credentials);
  }

  /** The client carrying the node's certificate (when it has one). */
  get nodeClient(): Deno.HttpClient {
    return this.#nodeClient;
  }

  /** A client without the node's certificate. */
  get plainClient(): Deno.HttpClient {
    return this.#plainClient;
  }

  /** `Bearer <node token>`, or `null`. */
  get nodeAuthorization(): string | null {
    return this.#authorization;
  }

  /** Checks the credential files every `intervalMs` until {@linkcode close}. */
  watchFiles(options: RotationOptions): void {
    if (this.#files().length === 0) return;
    const next = () => {
      this.#timer = setTimeout(() => {
        this.#checking = this.check(options).finally(() => {
          this.#checking = undefined;
          if (!this.#closed) next();
        });
      }, options.intervalMs);
    };
    next();
  }

  /**
   * Checks the files once: when any changed since last used, reads them all and, if they are
   * usable, swaps them in. A file caught half-written is retried at the next check.
   */
  async check(options: Omit<RotationOptions, "intervalMs">): Promise<void> {
    const files = this.#files();
    const stamps = new Map<string, string>();
    const changed: string[] = [];
    try {
      for (const [, path] of files) {
        const info = await Deno.stat(path);
        const mtime = info.mtime?.getTime() ?? 0;
        const stamp = `${mtime}:${info.size}:${info.ino}`;
        // A file changed within the stamp's resolution could change again unseen: read it again.
        stamps.set(path, Date.now() - mtime < RECENT_MS ? "" : stamp);
        if (this.#stamps.get(path) !== stamp) changed.push(path);
      }
      if (changed.length === 0) return;
      const next: UpstreamCredentials = { ...this.#credentials };
      for (const [field, path] of files) {
        const text = await Deno.readTextFile(path);
        if (field === "tokenFile") next.token = text.trim();
        else if (field === "caFile") next.caCert = text;
        else if (field === "clientCertFile") next.clientCert = text;
        else next.clientKey = text;
      }
      const problem = unusable(next);
      if (problem) throw new Error(problem);
      if (this.#closed) return;
      const rotated = this.#use(next);
      this.#credentials = next;
      this.#stamps = stamps;
      this.#lastError = undefined;
      if (rotated) options.onRotate(changed);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.#lastError) options.onError(message);
      this.#lastError = message;
    }
  }

  /** Stops watching and closes every client. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#checking;
    for (const [client, timer] of this.#retired) {
      clearTimeout(timer);
      client.close();
    }
    this.#retired.clear();
    if (this.#plainClient !== this.#nodeClient) this.#plainClient.close();
    this.#nodeClient.close();
  }

  #files(): [FileField, string][] {
    const files: [FileField, string][] = [];
    for (const field of FILE_FIELDS) {
      const path = this.#credentials[field];
      if (path !== undefined) files.push([field, path]);
    }
    return files;
  }

  /** Puts `next` to use; true when anything changed. Throws (changing nothing) on unusable PEM. */
  #use(next: UpstreamCredentials): boolean {
    const previous = this.#nodeClient === undefined ? undefined : this.#credentials;
    const tls = !previous || previous.caCert !== next.caCert ||
      previous.clientCert !== next.clientCert || previous.clientKey !== next.clientKey;
    const token = !previous || previous.token !== next.token;
    if (tls) {
      const nodeClient = createUpstreamClient(next, true);
      let plainClient = nodeClient;
      try {
        if (next.clientCert) plainClient = createUpstreamClient(next, false);
      } catch (error) {
        nodeClient.close();
        throw error;
      }
      const old = [this.#nodeClient, this.#plainClient];
      this.#nodeClient = nodeClient;
      this.#plainClient = plainClient;
      for (const client of new Set(old)) if (client) this.#retire(client);
    }
    if (token) this.#authorization = next.token ? `Bearer ${next.token}` : null;
    return tls || token;
  }

  #retire(client: Deno.HttpClient): void {
    this.#retired.set(
      client,
      setTimeout(() => {
        this.#retired.delete(client);
        client.close();
      }, RETIRE_AFTER_MS),
    );
  }
}

/** Why rotated credentials cannot be used, or `undefined`. */
function unusable(credentials: UpstreamCredentials): string | undefined {
  if (credentials.tokenFile && !credentials.token) {
    return `token file "${credentials.tokenFile}" is empty`;
  }
  if (credentials.caCert !== undefined && !holdsPem(credentials.caCert, "certificate")) {
    return `"${credentials.caFile}" holds no PEM certificate`;
  }
  if (credentials.clientCert !== undefined && !holdsPem(credentials.clientCert, "certificate")) {
    return `"${credentials.clientCertFile}" holds no PEM certificate`;
  }
  if (credentials.clientKey !== undefined && !holdsPem(credentials.clientKey, "private key")) {
    return `"${credentials.clientKeyFile}" holds no PEM private key`;
  }
  return undefined;
}
