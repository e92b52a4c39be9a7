import { DataError } from './data-error.js';
import { formatShape, shapeSize } from './shape.js';
import { describeLikelihood, firstOutsideSupport, SUPPORT_DESCRIPTIONS, type LikelihoodSupport } from '@vaekit/core';
import type { Binarization, LikelihoodChoice, LoadedData } from './types.js';

export interface LikelihoodCheckOptions {
  /** The binarization the data will get; anything but 'none' lets Bernoulli data be intensities in [0, 1]. */
  binarize?: Binarization;
  /** Names the data in error messages (a file name). */
  source?: string;
  /** Values per example: lets errors name the example a bad value belongs to. */
  exampleSize?: number;
  /**
   * How the caller's user can fix refused values, in the caller's own terms (a command's flags), for
   * callers whose users cannot take the default advice (switching likelihood, say, once a model is trained).
   */
  advice?: LikelihoodAdvice;
}

/** The end of each refusal's message: what to change. Each defaults to advice naming the library's settings. */
export interface LikelihoodAdvice {
  /** For values outside [0, 1] under a Bernoulli likelihood, or outside any other likelihood's support. */
  outOfRange?: string;
  /** For values in [0, 1] that are not 0 or 1, under a Bernoulli likelihood without binarization. */
  notBinary?: string;
}

/** The values a likelihood models (its support), from its type name or config. */
export function supportOf(likelihood: LikelihoodChoice): LikelihoodSupport {
  try {
    return describeLikelihood(typeof likelihood === 'string' ? { type: likelihood } : likelihood).support;
  } catch (error) {
    throw new DataError((error as Error).message, { cause: error });
  }
}

/** What to try when values fall outside a support, beyond the caller's advice. */
const SUPPORT_ADVICE: Readonly<Record<LikelihoodSupport, string>> = {
  binary: 'binarize it (dynamic binarization) or choose a likelihood for grey levels',
  'unit-interval': 'scale the data into [0, 1] or use a gaussian or laplace likelihood',
  'eight-bit': '8-bit images load as k/255; for other values in [0, 1] use continuous-bernoulli, for any real values gaussian or laplace',
  real: 'remove or replace them',
};

/**
 * Check that a likelihood can model these values: they must lie in its support. A Bernoulli decoder
 * needs values in [0, 1], and exactly 0 or 1 unless the data will be binarized; a Gaussian one takes any
 * finite value; a discretized logistic the 8-bit levels k/255. Throws a DataError that says how to fix
 * the data or the settings.
 */
export function validateForLikelihood(
  data: ArrayLike<number>,
  likelihood: LikelihoodChoice,
  options: LikelihoodCheckOptions = {},
): void {
  const source = options.source ?? 'the data';
  const binarize = options.binarize ?? 'none';
  const at = (i: number): string => locate(i, options.exampleSize);
  assertFinite(data, source, options.exampleSize);
  const support = supportOf(likelihood);
  const type = typeof likelihood === 'string' ? likelihood : likelihood.type;
  if (support !== 'binary') {
    const index = firstOutsideSupport(support, data);
    if (index < 0) return;
    const v = data[index] as number;
    const hint = v > 1 && v <= 255 && support !== 'real' ? ' (8-bit pixel values? divide them by 255)' : '';
    throw new DataError(
      `${source} has a value at ${at(index)} (${v})${hint} outside what the ${type} likelihood models ` +
        `(${SUPPORT_DESCRIPTIONS[support]}); ${options.advice?.outOfRange ?? SUPPORT_ADVICE[support]}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < 0 || v > 1) {
      const hint = v > 1 && v <= 255 ? ' (8-bit pixel values? divide them by 255)' : '';
      throw new DataError(
        `${source} has a value outside [0, 1] at ${at(i)} (${v})${hint}, which a Bernoulli likelihood ` +
          `cannot model; ${options.advice?.outOfRange ?? 'scale the data into [0, 1] or choose a likelihood for real values (gaussian, laplace)'}`,
      );
    }
  }
  if (binarize !== 'none') return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v !== 0 && v !== 1) {
      throw new DataError(
        `${source} has a value that is not 0 or 1 at ${at(i)} (${v}), and a Bernoulli likelihood without ` +
          `binarization needs exactly 0 or 1; ${options.advice?.notBinary ?? 'binarize it (dynamic binarization) or choose a likelihood for grey levels (continuous-bernoulli, discretized-logistic for 8-bit images)'}`,
      );
    }
  }
}

/** Throws a DataError naming the first NaN or infinite value. */
export function assertFinite(data: ArrayLike<number>, source = 'the data', exampleSize?: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new DataError(`${source} has a non-finite value (${v}) at ${locate(i, exampleSize)}; remove or replace it`);
    }
  }
}

/** "index 1234 (example 1, value 450)": the flat index plus where it sits, when the example size is known. */
function locate(index: number, exampleSize: number | undefined): string {
  if (exampleSize === undefined || exampleSize < 1) return `index ${index}`;
  return `index ${index} (example ${Math.floor(index / exampleSize)}, value ${index % exampleSize})`;
}

export interface ValidateDataOptions {
  /** Names the data in error messages (a file name). */
  source?: string;
  /**
   * The example shape the model expects. Data whose examples have the same number of values is
   * reshaped to it (row-major, so [28, 28] images become [784] vectors); any other shape is an error.
   */
  expectedShape?: readonly number[];
  /** Check the values against this likelihood's support (see validateForLikelihood). */
  likelihood?: LikelihoodChoice;
  binarize?: Binarization;
  /** What refusals of the likelihood check advise (see LikelihoodCheckOptions). */
  advice?: LikelihoodAdvice;
}

/**
 * The one gate every loader's output passes through: consistent sizes, the expected example shape,
 * finite values, and (when a likelihood is given) values that likelihood accepts.
 * Returns the data, reshaped to `expectedShape` when one was given.
 */
export function validateData(loaded: LoadedData, options: ValidateDataOptions = {}): LoadedData {
  const source = options.source ?? 'the data';
  const { data, count, exampleShape } = loaded;
  if (count === 0) {
    throw new DataError(`${source} has no examples`);
  }
  if (data.length !== count * shapeSize(exampleShape)) {
    throw new DataError(
      `${source} should hold ${count} examples of shape ${formatShape(exampleShape)} ` +
        `(${count * shapeSize(exampleShape)} values) but has ${data.length} values`,
    );
  }
  let shape = [...exampleShape];
  if (options.expectedShape !== undefined) {
    const expected = [...options.expectedShape];
    if (shapeSize(expected) !== shapeSize(shape)) {
      throw new DataError(
        `expected examples of shape ${formatShape(expected)}, got ${formatShape(shape)} in ${source}`,
      );
    }
    shape = expected;
  }
  const exampleSize = shapeSize(shape);
  assertFinite(data, source, exampleSize);
  if (options.likelihood !== undefined) {
    const check: LikelihoodCheckOptions = { source, exampleSize };
    if (options.binarize !== undefined) check.binarize = options.binarize;
    if (options.advice !== undefined) check.advice = options.advice;
    validateForLikelihood(data, options.likelihood, check);
  }
  return { data, count, exampleShape: shape };
}
