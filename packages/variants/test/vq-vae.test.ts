import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  deserializeModel,
  evaluate,
  getRegisteredModel,
  hasMetrics,
  isGaussianLatentModel,
  prototypeDataset,
  SeededRandom,
  serializeModel,
  type LossTerms,
  type LossContext,
} from '@vaekit/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { createVqVae, VQ_VAE_SCHEMA, VqVae, type VqVaeConfig } from '../src/index.js';
import { nearestCodes, perplexityFromCounts, stopGradient } from '../src/internal.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const HAND_CODEBOOK = [
  [0, 0],
  [1, 0],
  [0, 1],
  [5, 5],
];
/** What the rigged encoder emits for every example: latent 0 near code 0, latent 1 near code 1. */
const RIGGED = [
  [0.1, 0.2],
  [0.9, 0.1],
];

const data = prototypeDataset([12], 16);
const models: VqVae[] = [];
afterEach(() => {
  models.splice(0).forEach((m) => m.dispose());
});

function tiny(overrides: Partial<VqVaeConfig> = {}): VqVae {
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

const variable = (model: VqVae, name: string): tf.Variable => {
  const found = model.variables().find((v) => v.name === name);
  if (!found) throw new Error(`no variable ${name}`);
  return found.variable;
};

/** Zeroes the encoder's output kernel and sets its bias, so every example encodes to `latents`. */
function rigEncoder(model: VqVae, latents: number[][]): void {
  const encoder = model.variables().filter((v) => v.name.startsWith('encoder/'));
  const kernel = encoder.filter((v) => v.name.endsWith('/kernel')).at(-1)!.variable;
  const bias = encoder.filter((v) => v.name.endsWith('/bias')).at(-1)!.variable;
  kernel.assign(tf.zerosLike(kernel));
  bias.assign(tf.tensor1d(latents.flat()));
}

function setCodebook(model: VqVae, codes: number[][]): void {
  variable(model, 'vq/codebook').assign(tf.tensor2d(codes));
  for (const name of ['vq/emaSums', 'vq/emaCounts']) {
    const v = model.variables().find((n) => n.name === name)?.variable;
    if (v) v.assign(name === 'vq/emaSums' ? tf.tensor2d(codes) : tf.onesLike(v));
  }
}

const batch = (n = 3): tf.Tensor => data.batch(Array.from({ length: n }, (_, i) => i), 0);
const context = (training: boolean, seed = 1): LossContext => ({
  rng: new SeededRandom(seed),
  step: 0,
  klWeight: 1,
  freeBits: 0,
  training,
});

/** A step as the trainer runs it: in training, the state step first, then the loss. */
function lossValues(model: VqVae, x: tf.Tensor, ctx: LossContext): Record<string, number> {
  if (ctx.training) model.trainingStep(x, ctx);
  const terms: LossTerms = model.loss(x, ctx);
  const values = Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]!]));
  tf.dispose(Object.values(terms));
  return values;
}

const read2d = (v: tf.Tensor): number[][] => v.arraySync() as number[][];

describe('VQ-VAE configuration', () => {
  it('has documented defaults and rejects bad settings', () => {
    const config = resolveConfig(VQ_VAE_SCHEMA, {});
    expect(config).toMatchObject({
      className: 'VqVae',
      numLatents: 16,
      embeddingDim: 8,
      codebookSize: 64,
      commitmentCost: 0.25,
      codebook: 'loss',
      emaDecay: 0.99,
      emaEpsilon: 1e-5,
      deadCodeRestartSteps: 100,
    });
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { codebook: 'kmeans' as 'ema' })).toThrow(/codebook must be/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { emaDecay: 1 })).toThrow(/emaDecay/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { codebookSize: 1 })).toThrow(/codebookSize/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { deadCodeRestartSteps: -1 })).toThrow(/deadCodeRestartSteps/);
  });

  it('is registered as VqVae, with metrics and without a Gaussian posterior (the KL check skips it)', () => {
    const model = createModel({ ...getRegisteredModel('VqVae').testConfig, className: 'VqVae' });
    try {
      expect(model).toBeInstanceOf(VqVae);
      expect(hasMetrics(model)).toBe(true);
      expect(isGaussianLatentModel(model)).toBe(false);
      expect(model.latentShape).toEqual([2, 4]);
    } finally {
      model.dispose();
    }
  });
});

describe('quantization', () => {
  it('picks the nearest code (hand-built codebook)', () => {
    const indices = tf.tidy(() =>
      nearestCodes(tf.tensor2d([[0.1, 0.2], [0.9, 0.1], [0.2, 0.7], [4, 4], [-3, -3], [0.55, 0.4]]), tf.tensor2d(HAND_CODEBOOK)),
    );
    expect(Array.from(indices.dataSync())).toEqual([0, 1, 2, 3, 0, 1]);
    indices.dispose();
  });

  it('encodes each latent vector of the model to its nearest code', () => {
    const model = tiny();
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, [
      [0.2, 0.7],
      [4, 4],
    ]);
    const x = batch();
    expect(model.codeIndices(x).arraySync()).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(model.encode(x).arraySync()).toEqual(Array.from({ length: 3 }, () => [[0, 1], [5, 5]]));
    x.dispose();
  });
});

describe('gradients', () => {
  it('stopGradient passes values and blocks gradients', () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(stopGradient(a), a)), [a]);
    expect(value.dataSync()[0]).toBeCloseTo(14, 5);
    // d/da sum(sg(a) * a) = sg(a) = a, not 2a.
    expect(Array.from(grads[a.name]!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([a, value, ...Object.values(grads)]);
  });

  it('the straight-through estimator hands the decoder-input gradient to the encoder unchanged', () => {
    const model = tiny({ codebookInitScale: 2 });
    const x = batch(4);
    const encoderVars = model.variables().filter((v) => v.name.startsWith('encoder/')).map((v) => v.variable);
    const fromLoss = tf.variableGrads(() => model.loss(x, context(false)).reconstruction, encoderVars);
    // dL/dz_q at the quantized codes, pulled back through the encoder by hand.
    const zQ = model.encode(x);
    const dzQ = tf.grad((z: tf.Tensor) => tf.neg(tf.mean(model['likelihood'].logProb(model.decode(z), x))))(zQ);
    const byHand = tf.variableGrads(() => tf.sum(tf.mul(model.encodeContinuous(x), dzQ)), encoderVars);
    let norm = 0;
    for (const v of encoderVars) {
      const a = fromLoss.grads[v.name]!.dataSync();
      const b = byHand.grads[v.name]!.dataSync();
      a.forEach((value, i) => {
        expect(value).toBeCloseTo(b[i]!, 5);
        norm += value * value;
      });
    }
    expect(norm).toBeGreaterThan(1e-8);
    tf.dispose([x, zQ, dzQ, fromLoss.value, byHand.value, ...Object.values(fromLoss.grads), ...Object.values(byHand.grads)]);
  });

  it('matches finite differences on the exact paths: decoder (total), codebook (codebook loss), encoder (commitment loss)', () => {
    // The straight-through gradient is by design not the derivative of the loss value: the
    // reconstruction is piecewise constant in the encoder weights, and depends on the codebook through
    // z_q although sg gives the codebook no gradient from it. Every other path is exact.
    const model = tiny({ codebookInitScale: 2, codebookSize: 8, embeddingDim: 4 });
    const x = data.batch([0, 1, 2, 3, 4, 5, 6, 7], 0);
    const indicesBefore = model.codeIndices(x).arraySync();
    const lossOf = (term: string) => (): tf.Scalar => model.loss(x, context(false))[term]!;
    const check = (prefixes: string[], term: string, analyticTerm: string, seed: number): void => {
      const vars = model.variables().filter((v) => v.trainable && prefixes.some((p) => v.name.startsWith(p))).map((v) => v.variable);
      const rng = new SeededRandom(seed);
      const raw = vars.map((v) => rng.normal(v.shape));
      const norm = Math.sqrt(raw.reduce((s, d) => s + tf.sum(tf.square(d)).dataSync()[0]!, 0));
      const dirs = raw.map((d) => tf.div(d, norm));
      const { value, grads } = tf.variableGrads(lossOf(analyticTerm), vars);
      const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0]!, 0);
      const originals = vars.map((v) => v.clone());
      const at = (h: number): number => {
        vars.forEach((v, i) => v.assign(tf.add(originals[i]!, tf.mul(h, dirs[i]!))));
        return tf.tidy(() => lossOf(term)().dataSync()[0]!);
      };
      const h = 1e-2;
      const numeric = (at(h) - at(-h)) / (2 * h);
      vars.forEach((v, i) => v.assign(originals[i]!));
      expect(Math.abs(analytic - numeric), `${prefixes} ${analytic} vs ${numeric}`).toBeLessThanOrEqual(0.03 * Math.abs(numeric) + 5e-3);
      tf.dispose([value, ...raw, ...dirs, ...originals, ...Object.values(grads)]);
    };
    for (const seed of [21, 22, 23]) {
      // Decoder: the gradient of the total is exact.
      check(['decoder/'], 'total', 'total', seed);
      // Codebook: its gradient comes from the codebook loss alone (sg cuts the reconstruction's path).
      check(['vq/codebook'], 'codebook', 'total', seed);
      // Encoder: the commitment term's gradient is exact; the reconstruction's is the straight-through one.
      check(['encoder/'], 'commitment', 'commitment', seed);
    }
    expect(model.codeIndices(x).arraySync()).toEqual(indicesBefore);
    x.dispose();
  });
});

describe('loss terms', () => {
  it('codebook and commitment losses equal the hand-computed squared errors; kl is numLatents log K', () => {
    const model = tiny({ commitmentCost: 0.3 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch();
    const v = lossValues(model, x, context(false));
    // |(0.1, 0.2) - (0, 0)|^2 + |(0.9, 0.1) - (1, 0)|^2 = 0.05 + 0.02 per example.
    expect(v.codebook).toBeCloseTo(0.07, 6);
    expect(v.commitment).toBeCloseTo(0.3 * 0.07, 6);
    expect(v.kl).toBeCloseTo(2 * Math.log(4), 6);
    expect(v.total).toBeCloseTo(v.reconstruction! + 0.07 + 0.021, 5);
    // The codebook loss pulls each used code toward its encoder output: d/de_0 = 2 (e_0 - z_e).
    const codebook = variable(model, 'vq/codebook');
    const { value, grads } = tf.variableGrads(() => model.loss(x, context(false)).codebook!, [codebook]);
    const g = read2d(grads[codebook.name]!);
    expect(g[0]![0]).toBeCloseTo(-0.2, 5);
    expect(g[0]![1]).toBeCloseTo(-0.4, 5);
    expect(g[1]![0]).toBeCloseTo(0.2, 5);
    expect(g[1]![1]).toBeCloseTo(-0.2, 5);
    expect(g[3]).toEqual([0, 0]);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('in EMA mode leaves the codebook loss out of the total and the codebook out of the trainable weights', () => {
    const model = tiny({ codebook: 'ema', commitmentCost: 0.25 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch();
    const v = lossValues(model, x, context(false));
    expect(v.total).toBeCloseTo(v.reconstruction! + 0.25 * 0.07, 5);
    expect(model.variables().filter((n) => n.name.startsWith('vq/') && n.trainable)).toEqual([]);
    expect(model.variables().map((n) => n.name).filter((n) => n.startsWith('vq/'))).toEqual([
      'vq/codebook',
      'vq/emaCounts',
      'vq/emaSums',
      'vq/idleSteps',
    ]);
    x.dispose();
  });

  it('gives equal log-weights for every k, log p(x|z_q) - numLatents log K: the IWAE bound is the ELBO', async () => {
    const model = tiny();
    const x = batch(4);
    const weights = model.logWeights(x, 5, new SeededRandom(3)).arraySync() as number[][];
    const v = lossValues(model, x, context(false));
    weights.forEach((row) => row.forEach((w, i) => expect(w).toBeCloseTo(weights[0]![i]!, 6)));
    const meanWeight = weights[0]!.reduce((a, b) => a + b, 0) / weights[0]!.length;
    expect(meanWeight).toBeCloseTo(-(v.reconstruction! + v.kl!), 4);
    const result = await evaluate(model, data, { k: 8, limit: 8 });
    expect(result.iwae!.bound).toBeCloseTo(result.elbo, 4);
    x.dispose();
  });

  it('samples decode uniformly drawn codes into probabilities of the input shape', () => {
    const model = tiny();
    const samples = model.sample(6, new SeededRandom(4));
    expect(samples.shape).toEqual([6, 12]);
    const values = samples.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    samples.dispose();
  });
});

describe('EMA codebook', () => {
  it('moves each used code toward the mean of its assigned encoder outputs by the EMA rule', () => {
    const decay = 0.9;
    const eps = 1e-5;
    const model = tiny({ codebook: 'ema', emaDecay: decay, emaEpsilon: eps });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch(3);
    lossValues(model, x, context(true));
    // Counts: code 0 and code 1 each got 3 vectors; all started at a pseudo-count of 1.
    const counts = [0.9 + 0.3, 0.9 + 0.3, 0.9, 0.9];
    const sums = [
      [0.3 * 0.1, 0.3 * 0.2],
      [0.9 + 0.3 * 0.9, 0.3 * 0.1],
      [0, 0.9],
      [4.5, 4.5],
    ];
    const total = counts.reduce((a, b) => a + b, 0);
    const expected = sums.map((row, i) => row.map((s) => s / (((counts[i]! + eps) / (total + 4 * eps)) * total)));
    expect(Array.from(variable(model, 'vq/emaCounts').dataSync()).map((c) => +c.toFixed(6))).toEqual(counts.map((c) => +c.toFixed(6)));
    read2d(variable(model, 'vq/codebook')).forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]![j]!, 5)));
    const after = read2d(variable(model, 'vq/codebook'));
    const dist = (a: number[], b: number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
    expect(dist(after[0]!, RIGGED[0]!)).toBeLessThan(dist(HAND_CODEBOOK[0]!, RIGGED[0]!));
    expect(dist(after[1]!, RIGGED[1]!)).toBeLessThan(dist(HAND_CODEBOOK[1]!, RIGGED[1]!));
    x.dispose();
  });

  it('moves its state only in trainingStep: never in loss (training or not, under a gradient tape or not), evaluate or metrics', async () => {
    const model = tiny({ codebook: 'ema' });
    const x = batch(4);
    const snapshot = (): number[] => model.variables().filter((v) => !v.trainable).flatMap((v) => Array.from(v.variable.dataSync()));
    const start = snapshot();
    tf.tidy(() => model.loss(x, context(false)));
    tf.tidy(() => model.loss(x, context(true)));
    const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
    const { value, grads } = tf.variableGrads(() => model.loss(x, context(true)).total, trainable);
    tf.dispose([value, ...Object.values(grads)]);
    await evaluate(model, data, { k: 2 });
    model.metrics(x);
    expect(snapshot()).toEqual(start);
    model.trainingStep(x, context(true));
    expect(snapshot()).not.toEqual(start);
    x.dispose();
  });

  it('keeps EMA statistics and idle counters through save and load', async () => {
    const model = tiny({ codebook: 'ema', deadCodeRestartSteps: 50 });
    const x = batch(6);
    for (let i = 0; i < 3; i++) lossValues(model, x, context(true, i));
    const restored = await deserializeModel(await serializeModel(model));
    try {
      expect(restored.getConfig()).toEqual(model.getConfig());
      for (const name of ['vq/codebook', 'vq/emaCounts', 'vq/emaSums', 'vq/idleSteps']) {
        const a = Array.from(variable(model, name).dataSync());
        const b = Array.from(restored.variables().find((v) => v.name === name)!.variable.dataSync());
        expect(b, name).toEqual(a);
      }
      expect(Array.from(variable(model, 'vq/emaCounts').dataSync())).not.toEqual([1, 1, 1, 1]);
      expect(Math.max(...variable(model, 'vq/idleSteps').dataSync())).toBeGreaterThan(0);
      // The next training step continues identically from the restored state.
      const a = lossValues(model, x, context(true, 9));
      const b = lossValues(restored as VqVae, x, context(true, 9));
      expect(b).toEqual(a);
    } finally {
      restored.dispose();
      x.dispose();
    }
  });
});

describe('dead-code restarts', () => {
  it('replaces a code unused for N training steps with an encoder output from the batch, seeded', () => {
    const run = (): { codebook: number[][]; idle: number[] } => {
      const model = tiny({ deadCodeRestartSteps: 2 });
      setCodebook(model, HAND_CODEBOOK);
      rigEncoder(model, RIGGED);
      const x = batch(3);
      lossValues(model, x, context(true, 1));
      // After one step codes 2 and 3 have been idle once: not yet restarted.
      expect(read2d(variable(model, 'vq/codebook'))).toEqual(HAND_CODEBOOK);
      expect(Array.from(variable(model, 'vq/idleSteps').dataSync())).toEqual([0, 0, 1, 1]);
      lossValues(model, x, context(true, 2));
      x.dispose();
      return { codebook: read2d(variable(model, 'vq/codebook')), idle: Array.from(variable(model, 'vq/idleSteps').dataSync()) };
    };
    const first = run();
    expect(first.idle).toEqual([0, 0, 0, 0]);
    expect(first.codebook.slice(0, 2)).toEqual(HAND_CODEBOOK.slice(0, 2));
    const isBatchVector = (code: number[]): boolean =>
      RIGGED.some((z) => Math.abs(z[0]! - code[0]!) < 1e-6 && Math.abs(z[1]! - code[1]!) < 1e-6);
    expect(isBatchVector(first.codebook[2]!)).toBe(true);
    expect(isBatchVector(first.codebook[3]!)).toBe(true);
    expect(run().codebook).toEqual(first.codebook);
  });

  it('resets a restarted code’s EMA statistics to one pseudo-count at its new value', () => {
    const model = tiny({ codebook: 'ema', deadCodeRestartSteps: 1 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch(3);
    lossValues(model, x, context(true));
    const counts = Array.from(variable(model, 'vq/emaCounts').dataSync());
    expect(counts[3]).toBe(1);
    const sums = read2d(variable(model, 'vq/emaSums'));
    expect(read2d(variable(model, 'vq/codebook'))[3]).toEqual(sums[3]);
    x.dispose();
  });
});

describe('codebook perplexity', () => {
  it('is K for uniform usage and 1 for a single code', () => {
    expect(perplexityFromCounts([3, 3, 3, 3])).toBeCloseTo(4, 10);
    expect(perplexityFromCounts([0, 7, 0, 0])).toBeCloseTo(1, 10);
    expect(perplexityFromCounts([1, 1, 0, 0])).toBeCloseTo(2, 10);
  });

  it('model metrics: every code once per example gives perplexity K; all latents on one code give 1', () => {
    const model = tiny({ numLatents: 4 });
    setCodebook(model, HAND_CODEBOOK);
    const x = batch(5);
    rigEncoder(model, HAND_CODEBOOK);
    const uniform = model.metrics(x);
    expect(uniform.perplexity).toBeCloseTo(4, 5);
    expect(uniform.usedCodes).toBe(4);
    rigEncoder(model, [
      [0.9, 0.2],
      [1.1, 0],
      [1, 0.1],
      [0.8, -0.1],
    ]);
    const single = model.metrics(x);
    expect(single.perplexity).toBeCloseTo(1, 6);
    expect(single.usedCodes).toBe(1);
    x.dispose();
  });
});
