import { checkFinite, checkWhole, checkWholeList, type FailField } from '@vaekit/core';

/** How the second stage is built and trained, every default filled in. */
export interface TwoStageSettings {
  /** Training epochs over the codes (default 50; fewer when early stopping ends the run). */
  readonly epochs: number;
  /** Codes per training step (default: the fit's `batchSize`, else 128). */
  readonly batchSize: number;
  /** Adam's learning rate (default 1e-3). */
  readonly learningRate: number;
  /** Hidden layer widths of the second stage's encoder; its decoder mirrors them (default [256, 256]). */
  readonly hidden: readonly number[];
  /** The second stage's latent size (default: the first model's code size, as Dai and Wipf take it). */
  readonly latentDim: number;
  /**
   * With held-out codes: epochs without a better held-out loss before training stops, keeping the best
   * epoch's weights (default 10). Without held-out codes every epoch runs.
   */
  readonly patience: number;
  /**
   * The starting standard deviation of the second stage's Gaussian p(code | u), which it then learns
   * (default: a fifth of the codes' spread, filled in by the fit once the codes are known; see `startingSigma`).
   */
  readonly initialSigma: number | null;
}

const SETTING_NAMES = ['epochs', 'batchSize', 'learningRate', 'hidden', 'latentDim', 'patience', 'initialSigma'] as const;

export const TWO_STAGE_DEFAULTS = { epochs: 50, batchSize: 128, learningRate: 1e-3, hidden: [256, 256], patience: 10 } as const;

/**
 * The checked settings for a first model whose codes have `codeSize` numbers. Unknown names and bad
 * values are refused with a RangeError naming the setting, before any code is encoded.
 */
export function resolveTwoStageSettings(
  given: Readonly<Record<string, unknown>> | undefined,
  context: { readonly codeSize: number; readonly batchSize?: number | undefined; readonly hasHeldOut: boolean },
): TwoStageSettings {
  const settings = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined));
  const unknown = Object.keys(settings).filter((name) => !(SETTING_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `the two-stage sampler has no setting ${unknown.map((name) => `'${name}'`).join(', ')}; its settings are ${SETTING_NAMES.join(', ')}`,
    );
  }
  if ('patience' in settings && !context.hasHeldOut) {
    throw new RangeError('the two-stage sampler setting patience needs held-out codes: give the fit held-out data (heldOut)');
  }
  const failFor =
    (name: string): FailField =>
    (message, subfield = '') => {
      throw new RangeError(`the two-stage sampler setting ${name}${subfield} ${message}`);
    };
  const pick = (name: (typeof SETTING_NAMES)[number], fallback: unknown): unknown => (name in settings ? settings[name] : fallback);
  return {
    epochs: checkWhole(pick('epochs', TWO_STAGE_DEFAULTS.epochs), 1, failFor('epochs')),
    batchSize: checkWhole(pick('batchSize', context.batchSize ?? TWO_STAGE_DEFAULTS.batchSize), 1, failFor('batchSize')),
    learningRate: checkFinite(pick('learningRate', TWO_STAGE_DEFAULTS.learningRate), { min: 0, minExclusive: true }, failFor('learningRate')),
    hidden: checkWholeList(pick('hidden', TWO_STAGE_DEFAULTS.hidden), 1, failFor('hidden'), ', e.g. [256, 256]'),
    latentDim: checkWhole(pick('latentDim', context.codeSize), 1, failFor('latentDim')),
    patience: checkWhole(pick('patience', TWO_STAGE_DEFAULTS.patience), 1, failFor('patience')),
    initialSigma: 'initialSigma' in settings ? checkFinite(settings['initialSigma'], { min: 0, minExclusive: true }, failFor('initialSigma')) : null,
  };
}

/**
 * A fifth of the codes' spread (the root mean square of their per-dimension standard deviations).
 * Started at the codes' own spread, p(code | u) explains the codes as noise from the first step, and the
 * KL term can then switch every latent off for good (posterior collapse); started well below it, the
 * latents pay for themselves at once, and the learned scale falls from there, as Dai and Wipf's γ must.
 * Codes that do not vary at all start at 1.
 */
export function startingSigma(codes: Float32Array, rows: number, size: number): number {
  let sumOfVariances = 0;
  for (let j = 0; j < size; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += codes[i * size + j]!;
    mean /= rows;
    let variance = 0;
    for (let i = 0; i < rows; i++) variance += (codes[i * size + j]! - mean) ** 2;
    sumOfVariances += variance / rows;
  }
  const spread = Math.sqrt(sumOfVariances / size);
  return spread > 0 ? spread / 5 : 1;
}
