/** Refuses a count (draws k, samples n) that is not a whole number >= 1. */
export function checkWholeCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
}
