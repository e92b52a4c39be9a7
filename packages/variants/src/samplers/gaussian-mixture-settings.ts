/** The Gaussian-mixture sampler's fit settings, with every default filled in. */
export interface GaussianMixtureSettings {
  /** The numbers of components to try; the held-out likelihood picks one when there are several. */
  readonly components: readonly number[];
  /** Whether the user named the candidates (then each must fit the data) or took the default list. */
  readonly componentsGiven: boolean;
  readonly covarianceFloor: number;
  readonly maxIterations: number;
  readonly tolerance: number;
}

export const GAUSSIAN_MIXTURE_DEFAULTS = {
  components: [1, 2, 4, 8, 16],
  covarianceFloor: 1e-6,
  maxIterations: 100,
  tolerance: 1e-4,
} as const;

/** The most components a mixture may have: beyond it the fit's cost (k·d² per example per step) is unreasonable. */
export const MAX_COMPONENTS = 1024;

const KNOWN_KEYS = Object.keys(GAUSSIAN_MIXTURE_DEFAULTS);

/** Checks the user's settings (from `SamplerFitOptions.settings`) and fills in the defaults. */
export function resolveGaussianMixtureSettings(settings: Readonly<Record<string, unknown>> = {}): GaussianMixtureSettings {
  const unknown = Object.keys(settings).filter((key) => !KNOWN_KEYS.includes(key));
  if (unknown.length > 0) {
    throw new RangeError(`unknown Gaussian-mixture setting${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}; known: ${KNOWN_KEYS.join(', ')}`);
  }
  const given = settings['components'];
  return {
    components: given === undefined ? GAUSSIAN_MIXTURE_DEFAULTS.components : componentCandidates(given),
    componentsGiven: given !== undefined,
    covarianceFloor: positiveNumber('covarianceFloor', settings['covarianceFloor'] ?? GAUSSIAN_MIXTURE_DEFAULTS.covarianceFloor),
    maxIterations: wholeNumber('maxIterations', settings['maxIterations'] ?? GAUSSIAN_MIXTURE_DEFAULTS.maxIterations),
    tolerance: nonNegativeNumber('tolerance', settings['tolerance'] ?? GAUSSIAN_MIXTURE_DEFAULTS.tolerance),
  };
}

function componentCandidates(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new RangeError('components must be a number of components or a non-empty list of them, got []');
  for (const k of list) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new RangeError(`components must be whole numbers >= 1, got ${shown(k)}`);
    }
    if (k > MAX_COMPONENTS) throw new RangeError(`components must be at most ${MAX_COMPONENTS}, got ${k}`);
  }
  if (new Set(list).size !== list.length) throw new RangeError(`components lists a number twice: [${list.join(', ')}]`);
  return list as number[];
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${shown(value)}`);
  }
  return value;
}

function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${shown(value)}`);
  }
  return value;
}

function wholeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number >= 1, got ${shown(value)}`);
  }
  return value;
}

function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}
