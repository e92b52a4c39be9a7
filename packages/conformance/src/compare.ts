/** Largest |a - b| - (atol + rtol |b|) over the elements: <= 0 means every element is within tolerance. */
export function worstExcess(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  if (actual.length !== expected.length) throw new RangeError(`length ${actual.length} vs ${expected.length}`);
  let worst = -Infinity;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (!(excess <= worst)) worst = Number.isNaN(excess) ? Infinity : Math.max(worst, excess);
  }
  return worst;
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
