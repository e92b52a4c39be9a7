/** Number of values in one example of this shape (1 for the empty shape). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `[28, 28, 1]`, the way error messages print shapes. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function isValidShape(shape: readonly number[]): boolean {
  return shape.every((d) => Number.isInteger(d) && d > 0);
}
