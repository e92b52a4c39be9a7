/**
 * Error classes carry a process-wide brand (`Symbol.for`) so that a check still recognises an error thrown
 * by a second copy of a vaekit package (two versions in one program, or one bundled twice), where
 * `instanceof` compares against the wrong class and quietly answers false.
 */
export function brandError(error: Error, brand: symbol): void {
  // Non-enumerable: it stays out of JSON, logs and the declared type.
  Object.defineProperty(error, brand, { value: true });
}

/** True when `value` was branded with `brand` by `brandError`, in this copy of vaekit or another. */
export function hasErrorBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
