/** How the code prior is built and fitted: `fit`'s `settings`, every field optional. */
export interface VqCodePriorSettings {
  /** Units of each masked hidden layer (default [512, 512]). */
  readonly hidden: readonly number[];
  /** Passes over the training codes; the epoch of least held-out NLL is kept (default 20). */
  readonly epochs: number;
  /** Code sequences per Adam step (default: the fit's batchSize, else 128). */
  readonly batchSize: number;
  /** Adam's step size (default 1e-3). */
  readonly learningRate: number;
}

/** The settings a fit uses for what it is not given. */
export const VQ_CODE_PRIOR_DEFAULTS: VqCodePriorSettings = {
  hidden: [512, 512],
  epochs: 20,
  batchSize: 128,
  learningRate: 1e-3,
};

const KNOWN = ['hidden', 'epochs', 'batchSize', 'learningRate'];

function wholeAtLeastOne(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`the code prior's ${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks hidden-layer widths, for settings and for a loaded sampler's config alike. */
export function checkHiddenUnits(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 8) {
    throw new RangeError(`the code prior's hidden must list 1 to 8 layer widths, got ${JSON.stringify(value)}`);
  }
  return value.map((units) => wholeAtLeastOne('hidden layer width', units));
}

/** The settings with defaults filled in; an unknown name or a bad value is a RangeError naming it. */
export function resolveCodePriorSettings(settings: Readonly<Record<string, unknown>> = {}, fitBatchSize?: number): VqCodePriorSettings {
  const unknown = Object.keys(settings).filter((key) => !KNOWN.includes(key));
  if (unknown.length > 0) throw new RangeError(`unknown code prior setting ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${KNOWN.join(', ')}`);
  const learningRate = settings.learningRate ?? VQ_CODE_PRIOR_DEFAULTS.learningRate;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new RangeError(`the code prior's learningRate must be a finite number > 0, got ${JSON.stringify(learningRate)}`);
  }
  return {
    hidden: checkHiddenUnits(settings.hidden ?? VQ_CODE_PRIOR_DEFAULTS.hidden),
    epochs: wholeAtLeastOne('epochs', settings.epochs ?? VQ_CODE_PRIOR_DEFAULTS.epochs),
    batchSize: wholeAtLeastOne('batchSize', settings.batchSize ?? fitBatchSize ?? VQ_CODE_PRIOR_DEFAULTS.batchSize),
    learningRate,
  };
}
