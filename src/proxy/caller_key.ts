/**
 * The node-local secret token identities are keyed with: 32 random bytes in a file created `0600`
 * on first start (beside the cache by default), read on every later start, so identities recorded
 * in the cache stay the same across restarts.
 * @module
 */

/** Bytes of a new secret; a shorter file is refused. */
const KEY_BYTES = 32;

/** Reads the HMAC-SHA256 key in `path`, creating it first when the file does not exist. */
export async function loadCallerKey(path: string): Promise<CryptoKey> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    bytes = await createKeyFile(path);
  }
  if (bytes.byteLength < KEY_BYTES) {
    throw new Error(`the identity key file ${path} holds fewer than ${KEY_BYTES} bytes`);
  }
  return await hmacKey(bytes);
}

/** A key that lives only as long as the process (for a cache that does too). */
export function ephemeralCallerKey(): Promise<CryptoKey> {
  return hmacKey(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

function hmacKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/** Writes a new key under a temporary name, then links it into place (another agent may race). */
async function createKeyFile(path: string): Promise<Uint8Array> {
  const bytes = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes, { mode: 0o600, createNew: true });
    await Deno.chmod(temporary, 0o600);
    try {
      await Deno.link(temporary, path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return await Deno.readFile(path);
      throw error;
    }
    return bytes;
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}
