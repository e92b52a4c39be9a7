import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { deserializeSampler, drawSamples, SeededRandom, type VaeModel } from '@vaekit/core';
import { RunError } from '../errors.js';

/** Refuses a model whose pictures are not 28 × 28 single-channel digits, which the classifier reads. */
export function requireDigitModel(model: VaeModel): void {
  const shape = model.inputShape;
  const flat = shape.length === 1 && shape[0] === 784;
  const square = (shape.length === 2 || (shape.length === 3 && shape[2] === 1)) && shape[0] === 28 && shape[1] === 28;
  if (!flat && !square) {
    throw new RunError(
      `vaekit quality scores 28×28 single-channel digit pictures (MNIST), but this ${model.className} makes inputs of shape [${shape}]`,
    );
  }
}

/**
 * n of the model's pictures, [n × 784] grey levels clipped to [0, 1] (a Gaussian likelihood's mean can
 * stray outside), from the sampler file if given, else from the model's prior; drawn in batches.
 */
export async function sampleDigits(model: VaeModel, n: number, seed: number, samplerFile: string | undefined): Promise<Float32Array> {
  const sampler = samplerFile ? await deserializeSampler(new Uint8Array(readFileSync(samplerFile)), samplerFile) : null;
  try {
    const rng = new SeededRandom(seed);
    const out = new Float32Array(n * 784);
    const batch = 1000;
    for (let start = 0; start < n; start += batch) {
      const rows = Math.min(batch, n - start);
      const pictures = tf.tidy(() => {
        const drawn = sampler ? drawSamples(model, sampler, rows, rng) : model.sample(rows, rng);
        return tf.clipByValue(tf.reshape(drawn, [rows, 784]), 0, 1);
      });
      out.set(await pictures.data(), start * 784);
      pictures.dispose();
    }
    return out;
  } finally {
    sampler?.dispose();
  }
}
