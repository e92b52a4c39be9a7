import { CorruptFileError, quoteUntrusted } from './corrupt-file-error.js';

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

// vaekit writes two sections at most; the cap only keeps a crafted header from listing millions.
const MAX_SECTIONS = 64;
const MAX_NAME_LENGTH = 256;

/**
 * Checks that a parsed header has the container's shape, so that a crafted header fails here with one
 * line rather than as a TypeError deep inside a loader. `meta` is left to the caller, who knows its shape.
 */
export function checkHeaderShape(value: unknown, source: string): ContainerHeader<unknown> {
  const bad = (what: string): CorruptFileError => new CorruptFileError(`${source} has a corrupt header: ${what}`);
  if (!isRecord(value)) throw bad('it is not an object');
  if (typeof value.kind !== 'string') throw bad('its kind is not a string');
  if (!('meta' in value)) throw bad('it has no meta');
  if (typeof value.payloadSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(value.payloadSha256)) {
    throw bad('its payload checksum is not a SHA-256 in hex');
  }
  const sections = value.sections;
  if (!Array.isArray(sections)) throw bad('its sections are not a list');
  if (sections.length > MAX_SECTIONS) throw bad(`it lists ${sections.length} sections, more than ${MAX_SECTIONS}`);
  const names = new Set<string>();
  for (const section of sections as unknown[]) {
    if (!isRecord(section) || typeof section.name !== 'string' || section.name.length > MAX_NAME_LENGTH) {
      throw bad(`section ${quoteUntrusted(section)} has no proper name`);
    }
    if (names.has(section.name)) throw bad(`section ${quoteUntrusted(section.name)} is listed twice`);
    names.add(section.name);
    if (!isByteCount(section.byteOffset) || !isByteCount(section.byteLength)) {
      throw bad(`section ${quoteUntrusted(section.name)} has an invalid offset or length`);
    }
  }
  return value as unknown as ContainerHeader<unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isByteCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
