/** Budgets a loader checks a file's declarations against before it allocates anything for them. */
export interface LoadLimits {
  /**
   * Most elements one weight tensor may declare. 2^26 (256 MiB of float32) is some hundred times the
   * largest weight of any model vaekit ships (784 x 512), and small enough that one crafted declaration
   * cannot exhaust a machine.
   */
  readonly maxTensorElements: number;
  /** Most weight tensors one file may list (the largest vaekit model has under a hundred). */
  readonly maxWeightCount: number;
  /**
   * For a model whose registration cannot list its weights before it is built (no `expectedWeights`):
   * the largest integer its saved config may hold, seeds aside. A sanity cap on layer widths, latent
   * sizes and counts, not a memory bound; `expectedWeights` gives the bound.
   */
  readonly maxConfigInteger: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  maxTensorElements: 2 ** 26,
  maxWeightCount: 4096,
  maxConfigInteger: 2 ** 20,
};

export function resolveLoadLimits(overrides: Partial<LoadLimits> = {}): LoadLimits {
  return { ...DEFAULT_LOAD_LIMITS, ...overrides };
}
