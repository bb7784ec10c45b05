/**
 * Sealing cached objects at rest: AES-256-GCM (WebCrypto) under a 32-byte key kept in a file of
 * its own (created `0600` on first start). Each value gets a fresh random 96-bit nonce, and the
 * Deno KV key it is stored under is authenticated with it (additional data), so a sealed value
 * moved to another key no longer opens. A sealed value is `nonce ‖ ciphertext ‖ tag`:
 * {@link SEAL_OVERHEAD} bytes longer than what it seals.
 *
 * What is sealed is decided by the writer (resources named in the config); the {@link WriteBatcher}
 * seals the marked mutations just before it commits them, when their keys are final.
 * @module
 */
import { keyString } from "./keys.ts";

/** Bytes a sealed value adds: the 12-byte nonce and the 16-byte tag. */
export const SEAL_OVERHEAD = 28;
/** Length of a seal key, in bytes. */
export const SEAL_KEY_BYTES = 32;

const NONCE_BYTES = 12;
const encoder = new TextEncoder();

/** A sealed value that does not open: another key sealed it, or its bytes were changed. */
export class SealBroken extends Error {
  /** Names the KV key of the value. */
  constructor(key: Deno.KvKey) {
    super(`sealed value at ${keyString(key)} does not open (another key sealed it, or it changed)`);
    this.name = "SealBroken";
  }
}

/** A seal key file that cannot be used. */
export class SealKeyUnusable extends Error {
  /** Names the file and why. */
  constructor(path: string, reason: string) {
    super(`seal key file ${path}: ${reason}`);
    this.name = "SealKeyUnusable";
  }
}

function additionalData(key: Deno.KvKey, extra?: Uint8Array): Uint8Array<ArrayBuffer> {
  const keyBytes = encoder.encode(keyString(key));
  if (!extra) return keyBytes;
  const data = new Uint8Array(keyBytes.byteLength + extra.byteLength);
  data.set(keyBytes);
  data.set(extra, keyBytes.byteLength);
  return data;
}

/** Seals and opens values under one AES-256-GCM key. */
export class Sealer {
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** A sealer over the 32 bytes of `raw`. */
  static async fromBytes(raw: Uint8Array): Promise<Sealer> {
    if (raw.byteLength !== SEAL_KEY_BYTES) {
      throw new RangeError(`a seal key is ${SEAL_KEY_BYTES} bytes, not ${raw.byteLength}`);
    }
    const bytes = new Uint8Array(raw);
    const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    return new Sealer(key);
  }

  /** A sealer over a fresh random key kept in memory only (for an in-memory cache). */
  static ephemeral(): Promise<Sealer> {
    return Sealer.fromBytes(crypto.getRandomValues(new Uint8Array(SEAL_KEY_BYTES)));
  }

  /** Seals `plain` for the KV key `key` (and `extra` authenticated data, if given). */
  async seal(key: Deno.KvKey, plain: Uint8Array, extra?: Uint8Array): Promise<Uint8Array> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: additionalData(key, extra) },
      this.#key,
      plain as Uint8Array<ArrayBuffer>,
    );
    const value = new Uint8Array(NONCE_BYTES + sealed.byteLength);
    value.set(nonce);
    value.set(new Uint8Array(sealed), NONCE_BYTES);
    return value;
  }

  /** Opens what {@link seal} sealed for `key`. Throws {@link SealBroken} when it does not open. */
  async open(key: Deno.KvKey, sealed: Uint8Array, extra?: Uint8Array): Promise<Uint8Array> {
    if (sealed.byteLength < SEAL_OVERHEAD) throw new SealBroken(key);
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: sealed.subarray(0, NONCE_BYTES) as Uint8Array<ArrayBuffer>,
          additionalData: additionalData(key, extra),
        },
        this.#key,
        sealed.subarray(NONCE_BYTES) as Uint8Array<ArrayBuffer>,
      );
      return new Uint8Array(plain);
    } catch {
      throw new SealBroken(key);
    }
  }
}

/**
 * The seal key in `path`: read when the file exists (it must hold exactly 32 bytes), otherwise 32
 * random bytes written to a new file of mode `0600` (unless `create` is false: then undefined).
 * Throws {@link SealKeyUnusable}.
 */
export async function loadSealKey(path: string, create = true): Promise<Sealer | undefined> {
  let raw: Uint8Array;
  try {
    raw = await Deno.readFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new SealKeyUnusable(path, `cannot be read: ${(error as Error).message}`);
    }
    if (!create) return undefined;
    raw = crypto.getRandomValues(new Uint8Array(SEAL_KEY_BYTES));
    try {
      await Deno.writeFile(path, raw, { createNew: true, mode: 0o600 });
    } catch (error) {
      throw new SealKeyUnusable(path, `cannot be created: ${(error as Error).message}`);
    }
  }
  if (raw.byteLength !== SEAL_KEY_BYTES) {
    throw new SealKeyUnusable(
      path,
      `holds ${raw.byteLength} bytes; a seal key is ${SEAL_KEY_BYTES} random bytes`,
    );
  }
  return await Sealer.fromBytes(raw);
}
