import { isRecord } from './container-header.js';
import { CorruptFileError, quoteUntrusted } from './corrupt-file-error.js';
import type { LoadLimits } from './load-limits.js';

export type WeightDtype = 'float32' | 'int32' | 'bool';

/** One weight as a file lists it (tfjs's weights-manifest entry), or as a model of a config would have it. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype;
}

const BYTES_PER_ELEMENT: Readonly<Record<WeightDtype, number>> = { float32: 4, int32: 4, bool: 1 };
// tfjs writes exactly these keys. Anything else (quantization above all) would make tfjs decode more
// bytes than the file holds, so it is refused rather than passed on.
const ENTRY_KEYS = new Set(['name', 'shape', 'dtype']);
const MAX_RANK = 8;
const MAX_NAME_LENGTH = 256;

/**
 * Checks a weight list read from a file, before any tensor exists: every entry well formed, no tensor
 * over the element limit, and the whole list needing exactly the bytes the file holds for it. After
 * this, decoding allocates no more than the file's own length.
 */
export function checkWeightManifest(value: unknown, byteLength: number, source: string, limits: LoadLimits): WeightSpec[] {
  if (!Array.isArray(value)) throw new CorruptFileError(`${source} has a corrupt weight list: it is not a list`);
  if (value.length > limits.maxWeightCount) {
    throw new CorruptFileError(`${source} lists ${value.length} weights, over the limit of ${limits.maxWeightCount}`);
  }
  const names = new Set<string>();
  let totalBytes = 0;
  for (const entry of value as unknown[]) {
    const spec = checkEntry(entry, source);
    if (names.has(spec.name)) throw new CorruptFileError(`${source} lists weight ${quoteUntrusted(spec.name)} twice`);
    names.add(spec.name);
    const elements = elementCount(spec.shape, limits.maxTensorElements);
    if (elements > limits.maxTensorElements) {
      throw new CorruptFileError(
        `${source}: weight ${quoteUntrusted(spec.name)} declares shape [${spec.shape}], over the limit of ${limits.maxTensorElements} elements`,
      );
    }
    totalBytes += elements * BYTES_PER_ELEMENT[spec.dtype];
  }
  if (totalBytes !== byteLength) {
    throw new CorruptFileError(`${source} is corrupt: its weight list needs ${totalBytes} bytes, the file holds ${byteLength}`);
  }
  return value as WeightSpec[];
}

/**
 * Compares a file's (checked) weight list with the weights a model of the file's config has, so that a
 * config and weight list that disagree are refused before the model is built.
 */
export function matchWeightManifest(
  actual: readonly WeightSpec[],
  expected: readonly WeightSpec[],
  source: string,
  className: string,
): void {
  const wanted = new Map(expected.map((spec) => [spec.name, spec]));
  for (const spec of actual) {
    const model = wanted.get(spec.name);
    if (!model) {
      throw new CorruptFileError(`${source} has weight ${quoteUntrusted(spec.name)}, which a ${className} of its config does not`);
    }
    if (spec.dtype !== model.dtype || spec.shape.length !== model.shape.length || spec.shape.some((d, i) => d !== model.shape[i])) {
      throw new CorruptFileError(
        `${source}: weight '${spec.name}' is ${spec.dtype} [${spec.shape}], a ${className} of its config has ${model.dtype} [${model.shape}]`,
      );
    }
    wanted.delete(spec.name);
  }
  const [missing] = wanted.keys();
  if (missing !== undefined) throw new CorruptFileError(`${source} is missing weight '${missing}' of ${className}`);
}

function checkEntry(entry: unknown, source: string): WeightSpec {
  const bad = (what: string): CorruptFileError =>
    new CorruptFileError(`${source} has a corrupt weight list: entry ${quoteUntrusted(entry)} ${what}`);
  if (!isRecord(entry)) throw bad('is not an object');
  const extra = Object.keys(entry).find((key) => !ENTRY_KEYS.has(key));
  if (extra !== undefined) throw bad(`has field ${quoteUntrusted(extra)}, which vaekit does not write`);
  if (typeof entry.name !== 'string' || entry.name.length === 0 || entry.name.length > MAX_NAME_LENGTH) throw bad('has no proper name');
  if (typeof entry.dtype !== 'string' || !Object.hasOwn(BYTES_PER_ELEMENT, entry.dtype)) throw bad('has an unsupported dtype');
  const shape = entry.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad('has an invalid shape');
  }
  return entry as unknown as WeightSpec;
}

/** The product of a shape, stopping once it passes `cap` so a crafted shape cannot overflow to a small number. */
function elementCount(shape: readonly number[], cap: number): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > cap) return count;
  }
  return count;
}
