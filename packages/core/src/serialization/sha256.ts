/** SHA-256 through Web Crypto, so the container stays browser-safe. */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  // Web Crypto takes only ArrayBuffer-backed views; copy when the bytes live in a SharedArrayBuffer.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Array.from(await sha256(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Byte-wise equality of two digests. */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
