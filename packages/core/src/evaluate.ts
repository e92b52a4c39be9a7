import * as tf from '@tensorflow/tfjs-core';
import { orderedPlan } from './batch-plan.js';
import type { AsyncDataset } from './dataset.js';
import { hasKlPerDimension, hasMetrics, hasPosteriorMean, type VaeModel } from './model.js';
import { SeededRandom } from './random.js';
import type { CompileMode } from './compile/compiled-step.js';
import { iwaeChunks, type IwaeChunks } from './iwae-chunks.js';
import { prefetchBatches } from './prefetch.js';
import type { CompileEvent } from './train/step-runner.js';

export interface EvaluateOptions {
  /** Examples per batch. Default 256. */
  batchSize?: number;
  /** Importance samples for the IWAE bound; 0 skips it. Default 0. */
  k?: number;
  /** Importance samples evaluated at once (memory bound); the bound is combined exactly across chunks. */
  kChunk?: number;
  seed?: number;
  /** Evaluate only the first `limit` examples. */
  limit?: number;
  /**
   * Above this a latent unit counts as active: its KL (nats, data mean) for models whose KL splits per
   * dimension, else the variance over the data of its posterior mean. Default 0.01 (Burda et al. 2016).
   */
  activeUnitThreshold?: number;
  signal?: AbortSignal;
  /** Batches read ahead of the one being evaluated (for an asynchronous data set); 0 for none. Default 2. */
  prefetch?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Compile the IWAE log-weights on native, as `train` compiles steps: `auto` (default), `xla`, or
   * `false`. Elsewhere, or when the model's log-weights cannot be traced, they run op by op.
   */
  compile?: CompileMode | false;
  /** What became of compiling the IWAE chunks. */
  onCompile?: (event: CompileEvent) => void;
}

export interface EvaluationResult {
  readonly examples: number;
  /** Mean ELBO per example (nats; higher is better). */
  readonly elbo: number;
  /** Mean -log p(x|z) per example. */
  readonly reconstruction: number;
  /** Mean KL(q(z|x) || p(z)) per example. */
  readonly kl: number;
  /** Mean IWAE bound with k samples, and the NLL estimate it gives (-bound). */
  readonly iwae?: { readonly k: number; readonly bound: number; readonly nll: number };
  /** Latent units whose activity statistic exceeds the threshold. */
  readonly activeUnits?: ActiveUnits;
  /** Variant-specific figures (e.g. codebook perplexity). */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Active latent units. `criterion` says what `perDimension` holds: `kl`, each dimension's KL in nats (data
 * mean), for models whose KL splits per dimension; `posterior-mean-variance`, the variance over the data
 * of each dimension's posterior mean (Burda et al.'s original definition), for flows.
 */
export interface ActiveUnits {
  readonly count: number;
  readonly total: number;
  readonly threshold: number;
  readonly criterion: 'kl' | 'posterior-mean-variance';
  readonly perDimension: number[];
}

/**
 * ELBO terms, the IWAE NLL estimate, active units and variant metrics over a data set, batch by batch.
 * `data` may produce batches asynchronously; the next `prefetch` are read while one is evaluated, and
 * the result is the same either way.
 */
export async function evaluate(model: VaeModel, data: AsyncDataset, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const batchSize = options.batchSize ?? 256;
  const k = options.k ?? 0;
  const kChunk = Math.max(1, Math.min(options.kChunk ?? 64, k || 1));
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number >= 0, got ${k}`);
  const total = Math.min(data.size, options.limit ?? data.size);
  if (total < 1) throw new RangeError('nothing to evaluate: the data set is empty');
  const threshold = options.activeUnitThreshold ?? 0.01;
  const perDimension = hasKlPerDimension(model) || hasPosteriorMean(model);
  const draws = drawSeeds(new SeededRandom(options.seed ?? 0), Math.ceil(total / batchSize), k > 0 ? Math.ceil(k / kChunk) : 0, perDimension);
  const plan = orderedPlan(total, batchSize, (b) => draws[b]!.batch);

  let reconstruction = 0;
  let kl = 0;
  let iwaeSum = 0;
  let klPerDim: Float64Array | null = null;
  let meanSum: Float64Array | null = null;
  let meanSquareSum: Float64Array | null = null;
  const metricSums = new Map<string, number>();
  const chunks = iwaeChunks(model, options.compile ?? 'auto', options.onCompile);
  const reader = prefetchBatches(data, plan, options.prefetch !== undefined ? { depth: options.prefetch } : {});
  try {
    for (let b = 0; b < plan.length; b++) {
      if (options.signal?.aborted) throw new DOMException('evaluation aborted', 'AbortError');
      const seeds = draws[b]!;
      const x = (await reader.next())!;
      try {
        const n = Math.min(batchSize, total - b * batchSize);
        const terms = tf.tidy(() => {
          const loss = model.loss(x, { rng: new SeededRandom(seeds.loss), step: 0, klWeight: 1, freeBits: 0, training: false });
          return tf.stack([loss.reconstruction, loss.kl]);
        });
        const [rec, klValue] = await readAndDispose(terms);
        reconstruction += rec! * n;
        kl += klValue! * n;
        if (k > 0) iwaeSum += await iwaeBatchSum(chunks, x, k, kChunk, seeds.iwae);
        if (hasKlPerDimension(model)) {
          const perDim = await readAndDispose(tf.tidy(() => tf.sum(model.klPerDimension(x, new SeededRandom(seeds.perDimension)), 0)));
          klPerDim ??= new Float64Array(perDim.length);
          perDim.forEach((v, i) => (klPerDim![i]! += v));
        } else if (hasPosteriorMean(model)) {
          const means = await readAndDispose(model.posteriorMean(x, new SeededRandom(seeds.perDimension)));
          const dims = means.length / n;
          meanSum ??= new Float64Array(dims);
          meanSquareSum ??= new Float64Array(dims);
          means.forEach((v, i) => {
            meanSum![i % dims]! += v;
            meanSquareSum![i % dims]! += v * v;
          });
        }
        if (hasMetrics(model)) {
          for (const [name, value] of Object.entries(await model.metrics(x))) {
            metricSums.set(name, (metricSums.get(name) ?? 0) + value * n);
          }
        }
      } finally {
        x.dispose();
      }
      options.onProgress?.(Math.min((b + 1) * batchSize, total), total);
    }
  } finally {
    await reader.close();
    chunks.dispose();
  }

  const activity = activeUnitStatistic(klPerDim, meanSum, meanSquareSum, total);
  return {
    examples: total,
    elbo: -(reconstruction + kl) / total,
    reconstruction: reconstruction / total,
    kl: kl / total,
    ...(k > 0 ? { iwae: { k, bound: iwaeSum / total, nll: -iwaeSum / total } } : {}),
    ...(activity
      ? {
          activeUnits: {
            count: activity.perDimension.filter((v) => v > threshold).length,
            total: activity.perDimension.length,
            threshold,
            ...activity,
          },
        }
      : {}),
    metrics: Object.fromEntries([...metricSums].map(([name, sum]) => [name, sum / total])),
  };
}

/** Per-dimension activity over the whole data set, by whichever statistic the model supports. */
function activeUnitStatistic(
  klSum: Float64Array | null,
  meanSum: Float64Array | null,
  meanSquareSum: Float64Array | null,
  total: number,
): Pick<ActiveUnits, 'criterion' | 'perDimension'> | null {
  if (klSum) return { criterion: 'kl', perDimension: Array.from(klSum, (v) => v / total) };
  if (meanSum && meanSquareSum) {
    // Var = E[m²] − E[m]², clamped: rounding can take a constant unit a hair below zero.
    const perDimension = Array.from(meanSum, (sum, i) => Math.max(0, meanSquareSum[i]! / total - (sum / total) ** 2));
    return { criterion: 'posterior-mean-variance', perDimension };
  }
  return null;
}

/** The seeds one evaluated batch uses: its transform's, the loss's noise, each IWAE chunk's, the per-dimension pass's. */
interface BatchSeeds {
  readonly batch: number;
  readonly loss: number;
  readonly iwae: readonly number[];
  readonly perDimension: number;
}

/**
 * Every batch's seeds, drawn up front in the order one pass would draw them batch after batch (its
 * transform, then the forks its steps take), so batches can be read ahead without moving any seed.
 */
function drawSeeds(rng: SeededRandom, batches: number, iwaeChunksPerBatch: number, perDimension: boolean): BatchSeeds[] {
  return Array.from({ length: batches }, () => {
    const batch = rng.nextSeed();
    const loss = rng.nextSeed();
    const iwae = Array.from({ length: iwaeChunksPerBatch }, () => rng.nextSeed());
    return { batch, loss, iwae, perDimension: perDimension ? rng.nextSeed() : 0 };
  });
}

/**
 * Sum over the batch of the IWAE bound with k samples, drawn `chunk` at a time: the per-example
 * log-sum-exp of each chunk is combined exactly, so memory stays bounded for k = 1000 or more.
 */
async function iwaeBatchSum(chunks: IwaeChunks, x: tf.Tensor, k: number, chunk: number, seeds: readonly number[]): Promise<number> {
  let running: tf.Tensor1D | null = null;
  for (let done = 0, c = 0; done < k; done += chunk, c++) {
    const size = Math.min(chunk, k - done);
    // One seed per chunk, as a fork would take: the chunk's draws are the same whether compiled or not.
    const partial = chunks.run(x, size, seeds[c]!);
    const next: tf.Tensor1D = running
      ? tf.tidy(() => tf.logSumExp(tf.stack([running!, partial]), 0) as tf.Tensor1D)
      : partial;
    if (running) partial.dispose();
    running?.dispose();
    running = next;
    // Reading back each chunk bounds the queue of pending GPU work and lets the loop stay responsive.
    await next.data();
  }
  const bound = tf.tidy(() => tf.sum(tf.sub(running!, Math.log(k))));
  running!.dispose();
  const [sum] = await readAndDispose(bound);
  return sum!;
}

async function readAndDispose(t: tf.Tensor): Promise<number[]> {
  try {
    return Array.from(await t.data());
  } finally {
    t.dispose();
  }
}
