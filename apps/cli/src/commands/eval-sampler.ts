import * as tf from '@tensorflow/tfjs-core';
import { checkSamplerFits, SeededRandom, type AsyncDataset, type LatentSampler, type VaeModel } from '@vaekit/core';
import { VqCodePriorSampler, vqLearnedPriorBound } from '@vaekit/variants';
import { RunError } from '../errors.js';
import { natsAndBits } from '../eval-report.js';
import { readSamplerFile } from '../samplers/sampler-file.js';

/** What `eval --sampler` adds: the sampler, and for a VQ-VAE's code prior the NLL bound with it beside the uniform prior's. */
export interface SamplerEvaluation {
  readonly file: string;
  readonly className: string;
  /** −(log p(x|z_q) − L log K) per example, nats: the bound with the VQ-VAE's uniform code prior. */
  readonly uniformPriorNll?: number;
  /** −(log p(x|z_q) + log p_prior(c(x))) per example, nats: the bound with the sampler as the prior. */
  readonly learnedPriorNll?: number;
  /** Why the sampler leaves the bounds as they are, when it does. */
  readonly note?: string;
}

/** A sampler read from its file and checked against the model, with the file it came from. */
export interface EvaluationSampler {
  readonly file: string;
  readonly sampler: LatentSampler;
}

/**
 * Reads `--sampler`'s file (when given), refuses a sampler that does not fit the model (another latent
 * shape, a code prior of another codebook), runs `use`, and disposes the sampler whatever happens.
 */
export async function withEvaluationSampler<T>(
  model: VaeModel,
  file: string | undefined,
  use: (sampler: EvaluationSampler | undefined) => Promise<T>,
): Promise<T> {
  if (file === undefined) return use(undefined);
  const sampler = await readSamplerFile(file);
  try {
    try {
      checkSamplerFits(model, sampler);
      if (sampler instanceof VqCodePriorSampler) sampler.checkModel(model);
    } catch (error) {
      throw new RunError(`--sampler ${file}: ${(error as Error).message}`);
    }
    return await use({ file, sampler });
  } finally {
    sampler.dispose();
  }
}

/**
 * The per-example NLL bounds of a VQ-VAE with the uniform prior and with the code prior, over the same
 * batches (so dynamic binarization draws the same pixels for both). Other samplers only draw codes: the
 * model's ELBO and IWAE bound are taken against its own prior, which a post-hoc sampler does not change.
 */
export async function evaluateSampler(
  model: VaeModel,
  { file, sampler }: EvaluationSampler,
  data: AsyncDataset,
  options: { readonly batchSize: number; readonly seed: number },
): Promise<SamplerEvaluation> {
  if (!(sampler instanceof VqCodePriorSampler)) {
    return {
      file,
      className: sampler.className,
      note: `a ${sampler.className} only draws codes for sampling; the ELBO and IWAE bound are taken against the model's own prior, which it does not change`,
    };
  }
  const rng = new SeededRandom(options.seed);
  let uniform = 0;
  let learned = 0;
  for (let start = 0; start < data.size; start += options.batchSize) {
    const indices = Array.from({ length: Math.min(options.batchSize, data.size - start) }, (_, i) => start + i);
    const x = await data.batch(indices, rng.nextSeed());
    try {
      const sums = tf.tidy(() =>
        tf.stack([tf.sum(model.logWeights(x, 1, new SeededRandom(0))), tf.sum(vqLearnedPriorBound(model, sampler, x))]),
      );
      const [u, l] = await sums.data();
      sums.dispose();
      uniform -= u!;
      learned -= l!;
    } finally {
      x.dispose();
    }
  }
  return { file, className: sampler.className, uniformPriorNll: uniform / data.size, learnedPriorNll: learned / data.size };
}

/** The rows `vaekit eval` adds for a sampler, nats and bits per data value as its other bounds. */
export function samplerRows(result: SamplerEvaluation, dimensions: number): string[][] {
  const rows = [['sampler', `${result.className} (${result.file})`]];
  if (result.uniformPriorNll !== undefined && result.learnedPriorNll !== undefined) {
    rows.push(['NLL bound, uniform code prior', natsAndBits(result.uniformPriorNll, dimensions)]);
    rows.push(['NLL bound, learned code prior', natsAndBits(result.learnedPriorNll, dimensions)]);
  }
  if (result.note) rows.push(['note', result.note]);
  return rows;
}
