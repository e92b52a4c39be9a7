/**
 * Degree assignment and connectivity masks for MADE (Germain et al. 2015), the autoregressive network
 * inside each IAF step.
 *
 * Inputs carry degrees 1..D (a permutation: the variable ordering). Hidden unit j of every layer gets
 * degree j mod D, in 0..D−1; a unit may read a unit of the layer below when its degree is >= that unit's
 * degree, and output d (degree = input d's) may read a hidden unit only when its degree is strictly
 * smaller. So output d depends on exactly the inputs that come before it in the ordering. Degree-0 units
 * read no input at all, only the context vector: they carry the context to the first output in the order.
 */
export interface MadeMasks {
  /** Input degrees (the ordering), length D. */
  readonly inputDegrees: readonly number[];
  /** Per hidden layer, the units' degrees. */
  readonly hiddenDegrees: readonly (readonly number[])[];
  /** Per hidden layer l, the mask [fanIn, units] row-major: from the inputs (l = 0) or layer l−1. */
  readonly hidden: readonly Float32Array[];
  /** Mask [lastHiddenUnits, D] row-major from the last hidden layer to the outputs. */
  readonly output: Float32Array;
}

/** The natural ordering 1..D, or its reverse (IAF alternates them between steps). */
export function madeOrdering(dims: number, reversed: boolean): number[] {
  return Array.from({ length: dims }, (_, i) => (reversed ? dims - i : i + 1));
}

export function madeHiddenDegrees(dims: number, units: number): number[] {
  return Array.from({ length: units }, (_, j) => j % dims);
}

/** Mask [from.length, to.length]: entry (i, j) is 1 when `connects(from[i], to[j])`. */
function connectivity(from: readonly number[], to: readonly number[], connects: (a: number, b: number) => boolean): Float32Array {
  const mask = new Float32Array(from.length * to.length);
  from.forEach((a, i) => to.forEach((b, j) => (mask[i * to.length + j] = connects(a, b) ? 1 : 0)));
  return mask;
}

export function buildMadeMasks(inputDegrees: readonly number[], hiddenUnits: readonly number[]): MadeMasks {
  const dims = inputDegrees.length;
  const sorted = [...inputDegrees].sort((a, b) => a - b);
  if (dims < 1 || sorted.some((d, i) => d !== i + 1)) {
    throw new RangeError(`MADE input degrees must be a permutation of 1..${dims}, got [${inputDegrees}]`);
  }
  if (hiddenUnits.length === 0) throw new RangeError('MADE needs at least one hidden layer');
  const hiddenDegrees = hiddenUnits.map((units) => madeHiddenDegrees(dims, units));
  const hidden = hiddenDegrees.map((degrees, l) =>
    connectivity(l === 0 ? inputDegrees : hiddenDegrees[l - 1]!, degrees, (below, unit) => unit >= below),
  );
  const output = connectivity(hiddenDegrees[hiddenDegrees.length - 1]!, inputDegrees, (unit, out) => out > unit);
  return { inputDegrees: [...inputDegrees], hiddenDegrees, hidden, output };
}
