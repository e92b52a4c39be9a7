import * as tf from '@tensorflow/tfjs-core';
import { prototypeDataset, SeededRandom, type LossContext, type LossTerms } from '@vaekit/core';
import { createVqVae, type VqVae, type VqVaeConfig } from '../src/index.js';

// A tiny VQ-VAE (12 inputs, 2 latents of 2 dims, 4 codes) and the means to rig its encoder and codebook,
// shared by the VQ-VAE test files.

export const HAND_CODEBOOK = [
  [0, 0],
  [1, 0],
  [0, 1],
  [5, 5],
];
/** What the rigged encoder emits for every example: latent 0 near code 0, latent 1 near code 1. */
export const RIGGED = [
  [0.1, 0.2],
  [0.9, 0.1],
];

export const data = prototypeDataset([12], 16);
const models: VqVae[] = [];
/** Disposes every model `tiny` built; each test file calls it after each test. */
export function disposeModels(): void {
  models.splice(0).forEach((m) => m.dispose());
}

export function tiny(overrides: Partial<VqVaeConfig> = {}): VqVae {
  const model = createVqVae({
    inputShape: [12],
    architecture: { type: 'mlp', hiddenUnits: [10] },
    numLatents: 2,
    embeddingDim: 2,
    codebookSize: 4,
    codebook: 'loss',
    deadCodeRestartSteps: 0,
    ...overrides,
  });
  models.push(model);
  return model;
}

export const variable = (model: VqVae, name: string): tf.Variable => {
  const found = model.variables().find((v) => v.name === name);
  if (!found) throw new Error(`no variable ${name}`);
  return found.variable;
};

/** Zeroes the encoder's output kernel and sets its bias, so every example encodes to `latents`. */
export function rigEncoder(model: VqVae, latents: number[][]): void {
  const encoder = model.variables().filter((v) => v.name.startsWith('encoder/'));
  const kernel = encoder.filter((v) => v.name.endsWith('/kernel')).at(-1)!.variable;
  const bias = encoder.filter((v) => v.name.endsWith('/bias')).at(-1)!.variable;
  kernel.assign(tf.zerosLike(kernel));
  bias.assign(tf.tensor1d(latents.flat()));
}

export function setCodebook(model: VqVae, codes: number[][]): void {
  variable(model, 'vq/codebook').assign(tf.tensor2d(codes));
  for (const name of ['vq/emaSums', 'vq/emaCounts']) {
    const v = model.variables().find((n) => n.name === name)?.variable;
    if (v) v.assign(name === 'vq/emaSums' ? tf.tensor2d(codes) : tf.onesLike(v));
  }
}

export const batch = (n = 3): tf.Tensor => data.batch(Array.from({ length: n }, (_, i) => i), 0);
export const context = (training: boolean, seed = 1): LossContext => ({
  rng: new SeededRandom(seed),
  step: 0,
  klWeight: 1,
  freeBits: 0,
  training,
});

/** A step as the trainer runs it: in training, the state step first, then the loss. */
export function lossValues(model: VqVae, x: tf.Tensor, ctx: LossContext): Record<string, number> {
  if (ctx.training) model.trainingStep(x, ctx);
  const terms: LossTerms = model.loss(x, ctx);
  const values = Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]!]));
  tf.dispose(Object.values(terms));
  return values;
}

export const read2d = (v: tf.Tensor): number[][] => v.arraySync() as number[][];
