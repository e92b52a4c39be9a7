/**
 * vaekit's one binary container, for saved models and training checkpoints alike. Format 2:
 *
 *   8 bytes magic "VAEKIT02" | uint32 LE header length | header JSON (UTF-8)
 *   | SHA-256 of the magic, length and header (32 bytes) | payload
 *
 * The header lists named sections of the payload and the payload's SHA-256. The header's own digest
 * means a flipped bit anywhere in the file is caught before the header is even parsed, so a flip inside
 * the header cannot load as a silently different config or training step. Format 1 ("VAEKIT01", without
 * the header digest) was written only by pre-release builds and is refused. Browser-safe (Web Crypto only).
 */
import { checkHeaderShape, type ContainerHeader } from './container-header.js';
import { CorruptFileError, quoteUntrusted } from './corrupt-file-error.js';
import { sameDigest, sha256, sha256Hex } from './sha256.js';

export { CorruptFileError } from './corrupt-file-error.js';
export type { ContainerHeader, ContainerSection } from './container-header.js';

const MAGIC_V1 = 'VAEKIT01';
const MAGIC_V2 = 'VAEKIT02';
const MAGIC_FAMILY = 'VAEKIT';
const PREFIX_BYTES = MAGIC_V2.length + 4;
const HEADER_DIGEST_BYTES = 32;
/**
 * A header lists a few hundred weights at most (some tens of kB). The cap keeps a crafted length from
 * sending a multi-megabyte string through JSON.parse.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export async function encodeContainer<M>(
  kind: string,
  meta: M,
  sections: Readonly<Record<string, Uint8Array>>,
): Promise<Uint8Array> {
  let offset = 0;
  const layout = Object.entries(sections).map(([name, bytes]) => {
    const entry = { name, byteOffset: offset, byteLength: bytes.byteLength };
    offset += bytes.byteLength;
    return entry;
  });
  const payload = new Uint8Array(offset);
  for (const entry of layout) payload.set(sections[entry.name]!, entry.byteOffset);
  const header: ContainerHeader<M> = { kind, meta, sections: layout, payloadSha256: await sha256Hex(payload) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  if (headerBytes.byteLength > MAX_HEADER_BYTES) {
    throw new RangeError(`a vaekit header of ${headerBytes.byteLength} bytes is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerEnd = PREFIX_BYTES + headerBytes.byteLength;
  const out = new Uint8Array(headerEnd + HEADER_DIGEST_BYTES + payload.byteLength);
  out.set(new TextEncoder().encode(MAGIC_V2), 0);
  new DataView(out.buffer).setUint32(MAGIC_V2.length, headerBytes.byteLength, true);
  out.set(headerBytes, PREFIX_BYTES);
  out.set(await sha256(out.subarray(0, headerEnd)), headerEnd);
  out.set(payload, headerEnd + HEADER_DIGEST_BYTES);
  return out;
}

export interface DecodedContainer<M> {
  readonly header: ContainerHeader<M>;
  section(name: string): Uint8Array;
}

/**
 * Parses and verifies a container; `expectedKind` guards against loading a checkpoint as a model.
 * Everything is checked here before the caller sees the header: the header's digest (format 2), its
 * shape, the payload's length against the sections and the payload's digest. `meta` is the caller's to
 * check for sense: the digests say the file is intact, not that its writer was honest.
 */
export async function decodeContainer<M>(
  bytes: Uint8Array,
  expectedKind: string,
  source = 'file',
): Promise<DecodedContainer<M>> {
  if (bytes.byteLength < PREFIX_BYTES) {
    throw new CorruptFileError(`${source} is truncated: ${bytes.byteLength} bytes, too short to be a vaekit file`);
  }
  // Latin-1, one character per byte: a corrupted magic stays 8 characters, quoted as they are.
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC_V2.length));
  if (magic === MAGIC_V1) {
    throw new CorruptFileError(`${source} is in vaekit file format 01, written by a pre-release vaekit, which no release reads`);
  }
  if (magic !== MAGIC_V2) {
    if (magic.startsWith(MAGIC_FAMILY) && /^\d\d$/.test(magic.slice(MAGIC_FAMILY.length)) && magic > MAGIC_V2) {
      throw new CorruptFileError(
        `${source} is in vaekit file format ${magic.slice(MAGIC_FAMILY.length)}, which this vaekit does not read (a newer vaekit, or a corrupt file)`,
      );
    }
    throw new CorruptFileError(`${source} is not a vaekit file (bad magic ${quoteUntrusted(magic)})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC_V2.length, true);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new CorruptFileError(`${source} is corrupt: its header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerEnd = PREFIX_BYTES + headerLength;
  const payloadStart = headerEnd + HEADER_DIGEST_BYTES;
  if (payloadStart > bytes.byteLength) {
    throw new CorruptFileError(`${source} is truncated: its header runs past the end of the file`);
  }
  const digest = await sha256(bytes.subarray(0, headerEnd));
  if (!sameDigest(digest, bytes.subarray(headerEnd, payloadStart))) {
    throw new CorruptFileError(`${source} is corrupt: its header checksum does not match`);
  }
  const header = checkHeaderShape(parseHeader(bytes.subarray(PREFIX_BYTES, headerEnd), source), source) as ContainerHeader<M>;
  if (header.kind !== expectedKind) {
    throw new CorruptFileError(`${source} holds a ${quoteUntrusted(header.kind)}, expected a '${expectedKind}'`);
  }
  const payload = bytes.subarray(payloadStart);
  const expectedLength = header.sections.reduce((n, s) => Math.max(n, s.byteOffset + s.byteLength), 0);
  if (payload.byteLength !== expectedLength) {
    throw new CorruptFileError(
      `${source} is truncated or padded: payload is ${payload.byteLength} bytes, header says ${expectedLength}`,
    );
  }
  if ((await sha256Hex(payload)) !== header.payloadSha256) {
    throw new CorruptFileError(`${source} is corrupt: its payload checksum does not match`);
  }
  return {
    header,
    section(name) {
      const entry = header.sections.find((s) => s.name === name);
      if (!entry) throw new CorruptFileError(`${source} has no section '${name}'`);
      // Copy out so callers get an aligned buffer of their own (Float32Array views need alignment).
      return payload.slice(entry.byteOffset, entry.byteOffset + entry.byteLength);
    },
  };
}

function parseHeader(headerBytes: Uint8Array, source: string): unknown {
  try {
    // fatal: invalid UTF-8 is corruption, not something to paper over with replacement characters.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new CorruptFileError(`${source} has a corrupt header: ${(error as Error).message}`);
  }
}
