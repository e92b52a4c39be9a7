// Small, pure statistics for the bench: medians, spreads and ratios. No tfjs here (unit-tested directly).

/** The median of a list of numbers (mean of the middle two for even length); NaN for an empty list. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Linear-interpolated quantile q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Summary {
  /** Median over rounds of each round's median sample. */
  median: number;
  /** Smallest and largest round median: how much the rounds disagreed. */
  roundMin: number;
  roundMax: number;
  /** Interquartile range of all samples pooled, relative to the median (a noise figure). */
  relIqr: number;
  rounds: number;
  samples: number;
}

/** Summarizes repeated rounds of samples: the median of per-round medians, with the spread across rounds. */
export function summarizeRounds(rounds: readonly (readonly number[])[]): Summary {
  const nonEmpty = rounds.filter((r) => r.some(Number.isFinite));
  const roundMedians = nonEmpty.map((r) => median(r));
  const all = nonEmpty.flat();
  const med = median(roundMedians);
  return {
    median: med,
    roundMin: roundMedians.length ? Math.min(...roundMedians) : Number.NaN,
    roundMax: roundMedians.length ? Math.max(...roundMedians) : Number.NaN,
    relIqr: (quantile(all, 0.75) - quantile(all, 0.25)) / med,
    rounds: roundMedians.length,
    samples: all.length,
  };
}

/**
 * How many times faster `ms` is than `referenceMs` (both are times per unit of work): 2 means twice the
 * throughput of the reference, 0.5 half of it. NaN when either is missing.
 */
export function speedRatio(ms: number, referenceMs: number): number {
  if (!(ms > 0) || !(referenceMs > 0) || !Number.isFinite(ms) || !Number.isFinite(referenceMs)) return Number.NaN;
  return referenceMs / ms;
}

/** Steps per second from milliseconds per step. */
export function perSecond(ms: number): number {
  return ms > 0 && Number.isFinite(ms) ? 1000 / ms : Number.NaN;
}

/**
 * When a figure is too noisy to divide by. On a small shared machine a reference can stall for whole rounds
 * (PyTorch with 2 threads waits for a core another process holds) or for scattered steps; a ratio against
 * such a median says more about the neighbours than about the code. Either test marks the figure noisy:
 * - its round medians disagree: the slowest round's median is more than 1.5x the fastest's (2+ rounds);
 * - its steps scatter: the IQR of all samples pooled is more than half the median.
 */
export const NOISE_RULE = { maxRoundSpread: 1.5, maxRelIqr: 0.5 } as const;

export interface NoiseVerdict {
  noisy: boolean;
  /** Slowest over fastest round median; NaN with fewer than two rounds. */
  roundSpread: number;
  /** Why it is noisy, in words ('' when it is not). */
  why: string;
}

export function noiseVerdict(summary: Summary): NoiseVerdict {
  const roundSpread = summary.rounds >= 2 && summary.roundMin > 0 ? summary.roundMax / summary.roundMin : Number.NaN;
  const reasons: string[] = [];
  if (roundSpread > NOISE_RULE.maxRoundSpread) reasons.push(`round medians ${roundSpread.toFixed(2)}x apart`);
  if (summary.relIqr > NOISE_RULE.maxRelIqr) reasons.push(`IQR/median ${Math.round(summary.relIqr * 100)}%`);
  return { noisy: reasons.length > 0, roundSpread, why: reasons.join(', ') };
}
