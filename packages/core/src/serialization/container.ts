/**
 * vaekit's one binary container, for saved models and training checkpoints alike:
 *
 *   8 bytes magic "VAEKIT01" | uint32 LE header length | header JSON (UTF-8) | payload
 *
 * The header lists named sections of the payload and the payload's SHA-256, so a truncated or
 * corrupted file is detected before anything is deserialized. Browser-safe (Web Crypto only).
 */
const MAGIC = 'VAEKIT01';
const PREFIX_BYTES = MAGIC.length + 4;

export interface ContainerSection {
  readonly name: string;
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface ContainerHeader<M> {
  readonly kind: string;
  readonly meta: M;
  readonly sections: readonly ContainerSection[];
  readonly payloadSha256: string;
}

export class CorruptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptFileError';
  }
}

export async function encodeContainer<M>(
  kind: string,
  meta: M,
  sections: Readonly<Record<string, Uint8Array>>,
): Promise<Uint8Array> {
  let offset = 0;
  const layout: ContainerSection[] = Object.entries(sections).map(([name, bytes]) => {
    const entry = { name, byteOffset: offset, byteLength: bytes.byteLength };
    offset += bytes.byteLength;
    return entry;
  });
  const payload = new Uint8Array(offset);
  for (const entry of layout) payload.set(sections[entry.name]!, entry.byteOffset);
  const header: ContainerHeader<M> = { kind, meta, sections: layout, payloadSha256: await sha256Hex(payload) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX_BYTES + headerBytes.byteLength + payload.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.byteLength, true);
  out.set(headerBytes, PREFIX_BYTES);
  out.set(payload, PREFIX_BYTES + headerBytes.byteLength);
  return out;
}

export interface DecodedContainer<M> {
  readonly header: ContainerHeader<M>;
  section(name: string): Uint8Array;
}

/** Parses and verifies a container; `expectedKind` guards against loading a checkpoint as a model. */
export async function decodeContainer<M>(
  bytes: Uint8Array,
  expectedKind: string,
  source = 'file',
): Promise<DecodedContainer<M>> {
  if (bytes.byteLength < PREFIX_BYTES) {
    throw new CorruptFileError(`${source} is truncated: ${bytes.byteLength} bytes, too short to be a vaekit file`);
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new CorruptFileError(`${source} is not a vaekit file (bad magic '${magic}')`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  if (PREFIX_BYTES + headerLength > bytes.byteLength) {
    throw new CorruptFileError(`${source} is truncated: its header runs past the end of the file`);
  }
  let header: ContainerHeader<M>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (error) {
    throw new CorruptFileError(`${source} has a corrupt header: ${(error as Error).message}`);
  }
  if (header.kind !== expectedKind) {
    throw new CorruptFileError(`${source} holds a '${header.kind}', expected a '${expectedKind}'`);
  }
  const payload = bytes.subarray(PREFIX_BYTES + headerLength);
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

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // Web Crypto takes only ArrayBuffer-backed views; copy when the bytes live in a SharedArrayBuffer.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', input);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
