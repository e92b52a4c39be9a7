import type { SamplerFitEvent, SeededRandom } from '@vaekit/core';
import { fitMixture, rowLogLikelihoods } from './gaussian-mixture-em.js';
import type { GaussianMixtureSettings } from './gaussian-mixture-settings.js';
import type { CodeTable, GaussianMixture } from './gaussian-mixture-types.js';

/** The share of the training codes held out to choose k when no held-out data is given. */
const HELD_OUT_SHARE = 0.1;

export interface CandidateScore {
  readonly components: number;
  /** Average held-out log-likelihood per example, or undefined when nothing was held out. */
  readonly heldOutLogLikelihood: number | undefined;
  readonly iterations: number;
}

export interface MixtureChoice {
  readonly mixture: GaussianMixture;
  readonly components: number;
  /** Every candidate tried, in the order tried. */
  readonly candidates: readonly CandidateScore[];
}

/**
 * Fits a mixture for each candidate k and keeps the one with the best average held-out log-likelihood,
 * or a smaller k within one standard error of it (see pickParsimonious). The held-out codes are
 * `heldOut` when given; otherwise, when there is a choice to make, a seeded tenth of `codes`. A single
 * candidate with nothing held out is simply fitted to every code.
 *
 * What is returned: when the held-out codes were split off the training codes, the chosen k is refitted
 * to all of the training codes, so the tenth used for choosing is not lost to the sampler; when they
 * were given separately, the chosen fit already saw every training code and is kept as it is.
 */
export function chooseMixture(
  codes: CodeTable,
  heldOut: CodeTable | null,
  settings: GaussianMixtureSettings,
  random: SeededRandom,
  onProgress?: (event: SamplerFitEvent) => void,
): MixtureChoice {
  const split = heldOut === null && settings.components.length > 1 ? splitHeldOut(codes, random.fork()) : null;
  const fitCodes = split?.train ?? codes;
  const scoreCodes = split?.heldOut ?? heldOut;
  const candidates = candidatesFor(settings, fitCodes.rows);
  const fitCandidate = (table: CodeTable, k: number, stage: string) =>
    fitMixture(table, {
      components: k,
      covarianceFloor: settings.covarianceFloor,
      maxIterations: settings.maxIterations,
      tolerance: settings.tolerance,
      random: random.fork(),
      onIteration: (iteration) => onProgress?.({ stage, done: iteration, total: settings.maxIterations }),
    });
  const scores: CandidateScore[] = [];
  const fits: { components: number; mixture: GaussianMixture; heldOutRows: Float64Array | null }[] = [];
  for (const k of candidates) {
    const stage = `k=${k}`;
    const result = fitCandidate(fitCodes, k, stage);
    const heldOutRows = scoreCodes ? rowLogLikelihoods(scoreCodes, result.mixture) : null;
    const heldOutLogLikelihood = heldOutRows ? average(heldOutRows) : undefined;
    scores.push({ components: k, heldOutLogLikelihood, iterations: result.iterations });
    fits.push({ components: k, mixture: result.mixture, heldOutRows });
    onProgress?.({ stage, done: result.iterations, total: result.iterations, ...(heldOutLogLikelihood === undefined ? {} : { value: heldOutLogLikelihood }) });
  }
  const chosen = pickParsimonious(fits);
  if (!split) return { mixture: chosen.mixture, components: chosen.components, candidates: scores };
  const refit = fitCandidate(codes, chosen.components, `refit k=${chosen.components}`);
  onProgress?.({ stage: `refit k=${chosen.components}`, done: refit.iterations, total: refit.iterations });
  return { mixture: refit.mixture, components: chosen.components, candidates: scores };
}

/**
 * The candidate with the best average held-out log-likelihood, unless a smaller k comes within one
 * standard error of it (of the per-example difference, paired on the same held-out codes): then the
 * smallest such k. Beyond the true number of components, extra components fit held-out codes about as
 * well, and which of them scores best is chance; the one-standard-error rule keeps the simplest
 * mixture the held-out data cannot tell apart from the best. Non-finite scores never win.
 */
function pickParsimonious(fits: readonly { components: number; mixture: GaussianMixture; heldOutRows: Float64Array | null }[]) {
  const scored = fits.map((f) => ({ ...f, score: f.heldOutRows ? average(f.heldOutRows) : 0 }));
  const finite = scored.filter((f) => Number.isFinite(f.score));
  // candidatesFor never returns an empty list; with every score non-finite, the first candidate stands.
  if (finite.length === 0) return scored[0]!;
  const best = finite.reduce((a, b) => (b.score > a.score ? b : a));
  const closeToBest = (f: (typeof finite)[number]) =>
    f === best || (f.heldOutRows !== null && best.heldOutRows !== null && withinOneStandardError(best.heldOutRows, f.heldOutRows));
  return [...finite].sort((a, b) => a.components - b.components).find(closeToBest) ?? best;
}

/** Whether `candidate` falls short of `best` on the held-out codes by no more than one standard error of that shortfall. */
function withinOneStandardError(best: Float64Array, candidate: Float64Array): boolean {
  const gaps = best.map((value, i) => value - candidate[i]!);
  return average(gaps) <= standardError(gaps);
}

function average(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The standard error of the mean of the values (0 for fewer than two). */
function standardError(values: Float64Array): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = average(values);
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(variance / n);
}

/**
 * The candidates that fit `rows` codes: a k above the number of codes cannot be fitted. Candidates the
 * user named must all fit; the default list is cut to those that do, so small data sets still work.
 */
function candidatesFor(settings: GaussianMixtureSettings, rows: number): readonly number[] {
  const tooMany = settings.components.filter((k) => k > rows);
  if (tooMany.length > 0 && settings.componentsGiven) {
    throw new RangeError(
      `components ${tooMany.join(', ')} ${tooMany.length > 1 ? 'are' : 'is'} more than the ${rows} codes the mixture is fitted to: ` +
        'a mixture needs at least one code per component',
    );
  }
  const fitting = settings.components.filter((k) => k <= rows);
  return fitting.length > 0 ? fitting : [1];
}

/** A seeded tenth (at least one) of the codes held out, and the rest to fit on. */
export function splitHeldOut(codes: CodeTable, random: SeededRandom): { train: CodeTable; heldOut: CodeTable } {
  const { rows, size } = codes;
  if (rows < 2) {
    throw new RangeError(`choosing the number of components needs at least 2 codes (one held out), got ${rows}: give components as one number`);
  }
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random.nextFloat() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const heldOutRows = Math.max(1, Math.round(HELD_OUT_SHARE * rows));
  const take = (indices: number[]): CodeTable => {
    const values = new Float64Array(indices.length * size);
    indices.forEach((row, i) => values.set(codes.values.subarray(row * size, (row + 1) * size), i * size));
    return { values, rows: indices.length, size };
  };
  // Kept in their original order, so the fit sees the examples as the data set lists them.
  return {
    heldOut: take(order.slice(0, heldOutRows).sort((a, b) => a - b)),
    train: take(order.slice(heldOutRows).sort((a, b) => a - b)),
  };
}
