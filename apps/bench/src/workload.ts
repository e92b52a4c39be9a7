// The benchmark workloads, written once and run unchanged in a Node child process and in the Chromium bench
// page. Nothing here imports a Node built-in or a backend: the caller selects the backend first.
//
// W1 (DESIGN.md, "Apps" -> Bench): MLP VAE 784-512-512-(32+32) / 32-512-512-784, Bernoulli logits, summed
// sigmoid cross-entropy + closed-form KL, batch mean; Adam lr 1e-3, float32, batch 128. One step = forward,
// backward, update and reading the loss back to the CPU.
// W2: encode 1024 examples (posterior means only), read back.
import * as tf from '@tensorflow/tfjs-core';
import { createModel, listModels, train, type CompileEvent, type Dataset, type VaeModel } from '@vaekit/core';
import { createVae } from '@vaekit/variants';

import { compileRecord, type CompileRecord, type CompileSetting } from './compile-info.js';

export const W1 = {
  inputDim: 784,
  hidden: [512, 512] as const,
  latentDim: 32,
  batchSize: 128,
  learningRate: 1e-3,
  /** Adam's epsilon: tfjs's default, also used by the PyTorch and TensorFlow scripts. */
  epsilon: 1e-7,
} as const;

export const W2 = { examples: 1024 } as const;

/** How a W1 step is driven. */
export type W1Path =
  /** vaekit's W1 model (`createVae`) through `@vaekit/core`'s `train()` (grad-norm read, finite check). */
  | 'trainer'
  /** Hand-written tfjs: the same network with `tf.fused.matMul`, tfjs's Adam via `optimizer.minimize`. */
  | 'raw'
  /** As `raw`, with the loss in fewer ops and Adam over one flat parameter vector (the levers under test). */
  | 'raw-lean';

export const W1_PATHS: readonly W1Path[] = ['trainer', 'raw', 'raw-lean'];

/** Per-step wall times (ms) after warm-up, plus what one profiled step allocates and launches. */
export interface StepTimes {
  ms: number[];
  /** Kernels launched by one step (tf.profile), null where profiling failed. */
  kernels: number | null;
  /** Peak tensor bytes during one step (tf.profile's peakBytes, all live tensors counted). */
  peakBytes: number | null;
  /** Milliseconds per kernel name over one profiled step, largest first (only when asked for). */
  kernelTimes?: Array<{ name: string; count: number; ms: number }>;
  /** Trainer path with a compile setting: what tracing cost, or why the step ran eagerly. */
  compile?: CompileRecord | null;
  /** Wall time of the first step (trace and first call included), kept out of `ms`. */
  firstStepMs?: number;
}

const now = (): number => performance.now();

/** Deterministic pseudo-random binary data: a pool of `examples` x `dim` values in {0, 1}. */
export function binaryPool(examples: number, dim: number, seed = 1): Float32Array {
  const out = new Float32Array(examples * dim);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 31;
  }
  return out;
}

/** A Dataset over a pool of random binary examples, repeated to any size (for throughput, not accuracy). */
export function binaryDataset(exampleShape: readonly number[], size: number, poolExamples = 1024): Dataset {
  const dim = exampleShape.reduce((a, b) => a * b, 1);
  const pool = binaryPool(poolExamples, dim);
  return {
    size,
    exampleShape,
    binary: true,
    batch(indices) {
      const values = new Float32Array(indices.length * dim);
      indices.forEach((index, row) => {
        const from = (index % poolExamples) * dim;
        values.set(pool.subarray(from, from + dim), row * dim);
      });
      return tf.tensor(values, [indices.length, ...exampleShape], 'float32');
    },
  };
}

export function createW1Model(): VaeModel {
  return createVae({
    inputShape: [W1.inputDim],
    latentDim: W1.latentDim,
    architecture: { type: 'mlp', hiddenUnits: [...W1.hidden] },
    likelihood: { type: 'bernoulli' },
  });
}

export interface TrainerRun {
  /** Per-step wall times after warm-up. */
  ms: number[];
  /** The first step's wall time: on a compiled path it includes tracing and the function's first call. */
  firstStepMs: number;
  /** The trainer's first `onCompile` event; null when it sent none or no compile setting was asked for. */
  compile: CompileRecord | null;
}

/**
 * Runs `warmup + steps` steps through `@vaekit/core`'s `train()`, timing each from the progress events.
 * `compile` is passed through to the trainer (its own default when undefined); a compiled step is traced
 * during the first step, which is why `warmup` must be at least 1 there.
 */
export async function trainerSteps(
  model: VaeModel,
  steps: number,
  warmup: number,
  options: { budgetMs?: number; batchSize?: number; compile?: CompileSetting } = {},
): Promise<TrainerRun> {
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? W1.batchSize;
  if (options.compile !== undefined && options.compile !== false && warmup < 1) {
    throw new RangeError('a compiled trainer path needs warmup >= 1: its first step traces and compiles');
  }
  const total = steps + warmup;
  // Whole batches only: a partial last batch would trace a second function inside the timed steps.
  const data = binaryDataset(model.inputShape, total * batchSize);
  const marks: number[] = [];
  let compile: CompileRecord | null = null;
  const start = now();
  const stop = new AbortController();
  await train(model, data, {
    epochs: 1,
    batchSize,
    optimizer: { type: 'adam', learningRate: W1.learningRate, epsilon: W1.epsilon },
    signal: stop.signal,
    // Only a row that asks for a compile setting records what the trainer did with it: elsewhere the
    // trainer's default on a non-native backend is op by op, which is not a fallback.
    ...(options.compile !== undefined
      ? {
          compile: options.compile,
          onCompile: (event: CompileEvent) => {
            compile ??= compileRecord(event);
          },
        }
      : {}),
    onStep: () => {
      marks.push(now());
      // A time budget for slow backends: stop after at least 3 measured steps once it is spent.
      if (marks.length >= warmup + 3 && marks[marks.length - 1]! - (marks[warmup - 1] ?? start) > budgetMs) stop.abort();
    },
  });
  const times = marks.map((t, i) => t - (i === 0 ? start : marks[i - 1]!));
  return { ms: times.slice(warmup), firstStepMs: times[0] ?? Number.NaN, compile };
}

/**
 * Profiles one op-by-op trainer-path step (a separate one-step train() call after the timed ones). Compiled
 * rows are not profiled: every train() call traces afresh, and the profile would count the recording.
 */
export async function profileTrainerStep(model: VaeModel, perKernel: boolean): Promise<Omit<StepTimes, 'ms'>> {
  const data = binaryDataset(model.inputShape, W1.batchSize);
  // Warm the optimizer's first step (it creates its slot variables) outside the profile.
  await train(model, data, { epochs: 1, batchSize: W1.batchSize, compile: false });
  const info = await tf.profile(async () => {
    await train(model, data, { epochs: 1, batchSize: W1.batchSize, compile: false });
  });
  // The profiled call creates Adam's slots again (a fresh optimizer per train() call): leave those kernels out.
  return summarizeProfile(info, perKernel, (name) => name !== 'Fill' && name !== 'ZerosLike');
}

function summarizeProfile(
  info: Awaited<ReturnType<typeof tf.profile>>,
  perKernel: boolean,
  keep: (name: string) => boolean = () => true,
): Omit<StepTimes, 'ms'> {
  const kernels = info.kernels.filter((k) => keep(k.name));
  const result: Omit<StepTimes, 'ms'> = { kernels: kernels.length, peakBytes: info.peakBytes };
  if (perKernel) {
    const byName = new Map<string, { count: number; ms: number }>();
    for (const k of kernels) {
      const entry = byName.get(k.name) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byName.set(k.name, entry);
    }
    result.kernelTimes = [...byName].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms);
  }
  return result;
}

/** W1 written directly against tfjs-core: the floor a vaekit model could reach on the same backend. */
export class RawW1 {
  readonly weights: tf.Variable[] = [];
  private readonly optimizer: tf.Optimizer;
  private readonly lean: boolean;
  private flat?: { m: tf.Variable; v: tf.Variable; sizes: number[]; t: number };

  constructor(options: { lean: boolean; seed?: number }) {
    this.lean = options.lean;
    const dims: Array<[number, number]> = [];
    const enc = [W1.inputDim, ...W1.hidden, 2 * W1.latentDim];
    const dec = [W1.latentDim, ...W1.hidden, W1.inputDim];
    for (const sizes of [enc, dec]) for (let i = 0; i + 1 < sizes.length; i++) dims.push([sizes[i]!, sizes[i + 1]!]);
    let seed = options.seed ?? 7;
    for (const [fanIn, fanOut] of dims) {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      this.weights.push(tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed++)));
      this.weights.push(tf.variable(tf.zeros([fanOut])));
    }
    this.optimizer = tf.train.adam(W1.learningRate, 0.9, 0.999, W1.epsilon);
  }

  private mlp(x: tf.Tensor2D, first: number): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    for (let layer = 0; layer < 3; layer++) {
      const w = this.weights[first + 2 * layer] as tf.Variable<tf.Rank.R2>;
      const b = this.weights[first + 2 * layer + 1]!;
      h = tf.fused.matMul({ a: h, b: w, bias: b, activation: layer < 2 ? 'relu' : 'linear' }) as tf.Tensor2D;
    }
    return h;
  }

  /** Negative ELBO, batch mean. */
  loss(x: tf.Tensor2D, eps: tf.Tensor2D): tf.Scalar {
    const batch = x.shape[0];
    const stats = this.mlp(x, 0);
    const [mean, logVar] = tf.split(stats, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
    const logits = this.mlp(z, 6);
    if (!this.lean) {
      // The same op sequence as @vaekit/core's bernoulliLogProb + klStandardNormal + elbo (batch mean).
      const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
      const rec = tf.sum(ce, 1);
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1));
      return tf.mean(tf.add(rec, kl));
    }
    // Fewer, larger ops: softplus(l) - l*x summed over everything (the batch mean taken once at the end),
    // and the KL as 0.5 * sum(mean^2 + exp(logVar) - logVar) - 0.5 * batch * latentDim.
    const ce = tf.sum(tf.sub(tf.softplus(logits), tf.mul(logits, x)));
    const kl = tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), logVar));
    return tf.sub(tf.div(tf.add(ce, tf.mul(0.5, kl)), batch), 0.5 * W1.latentDim) as tf.Scalar;
  }

  /** One training step; returns the loss already read back. */
  async step(x: tf.Tensor2D, eps: tf.Tensor2D): Promise<number> {
    if (!this.lean) {
      const loss = this.optimizer.minimize(() => this.loss(x, eps), true, this.weights) as tf.Scalar;
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    }
    const { value, grads } = tf.variableGrads(() => this.loss(x, eps), this.weights);
    this.flatAdam(this.weights.map((w) => grads[w.name]!));
    const out = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }

  /**
   * Adam over one flat vector: the moment updates are ~8 large kernels for all weights together instead of
   * ~10 small ones per weight; the update is split back into the weights (one Split + one Sub + Assign each).
   */
  private flatAdam(grads: tf.Tensor[]): void {
    if (!this.flat) {
      const sizes = this.weights.map((w) => w.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      this.flat = { m: tf.variable(tf.zeros([total]), false), v: tf.variable(tf.zeros([total]), false), sizes, t: 0 };
    }
    const state = this.flat;
    state.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const stepSize = (W1.learningRate * Math.sqrt(1 - b2 ** state.t)) / (1 - b1 ** state.t);
    tf.tidy(() => {
      const g = tf.concat(grads.map((gr) => tf.reshape(gr, [-1])));
      const m = tf.add(tf.mul(state.m, b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(state.v, b2), tf.mul(tf.square(g), 1 - b2));
      state.m.assign(m);
      state.v.assign(v);
      const update = tf.mul(tf.div(m, tf.add(tf.sqrt(v), W1.epsilon)), stepSize);
      const parts = tf.split(update, state.sizes);
      this.weights.forEach((w, i) => w.assign(tf.sub(w, tf.reshape(parts[i]!, w.shape))));
    });
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.optimizer.dispose();
    if (this.flat) tf.dispose([this.flat.m, this.flat.v]);
  }
}

function batchTensor(pool: Float32Array, index: number): tf.Tensor2D {
  const per = W1.batchSize * W1.inputDim;
  const batches = Math.floor(pool.length / per);
  const from = (index % batches) * per;
  return tf.tensor2d(pool.subarray(from, from + per), [W1.batchSize, W1.inputDim]);
}

/** Timed raw W1 steps (the batch and noise are made inside each step, as the trainer does). */
export async function rawSteps(
  lean: boolean,
  steps: number,
  warmup: number,
  profile: boolean,
  perKernel = false,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<StepTimes> {
  const model = new RawW1({ lean });
  const pool = binaryPool(8 * W1.batchSize, W1.inputDim);
  let i = 0;
  const one = async (): Promise<void> => {
    const x = batchTensor(pool, i);
    const eps = tf.randomNormal([W1.batchSize, W1.latentDim], 0, 1, 'float32', i++) as tf.Tensor2D;
    await model.step(x, eps);
    tf.dispose([x, eps]);
  };
  const ms: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = now();
    await one();
    if (s >= warmup) ms.push(now() - t0);
    if (ms.length >= 3 && ms.reduce((a, b) => a + b, 0) > budgetMs) break;
  }
  let prof: Omit<StepTimes, 'ms'> = { kernels: null, peakBytes: null };
  if (profile) prof = summarizeProfile(await tf.profile(one), perKernel);
  model.dispose();
  return { ms, ...prof };
}

/** The W1 model through the trainer: timed steps, then one profiled step (op-by-op rows only). */
export async function w1TrainerSteps(
  steps: number,
  warmup: number,
  profile: boolean,
  perKernel = false,
  budgetMs = Number.POSITIVE_INFINITY,
  compile?: CompileSetting,
): Promise<StepTimes> {
  const model = createW1Model();
  try {
    const run = await trainerSteps(model, steps, warmup, { budgetMs, ...(compile !== undefined ? { compile } : {}) });
    const compiled = compile !== undefined && compile !== false;
    const prof = profile && !compiled ? await profileTrainerStep(model, perKernel) : { kernels: null, peakBytes: null };
    return { ms: run.ms, firstStepMs: run.firstStepMs, compile: run.compile, ...prof };
  } finally {
    model.dispose();
  }
}

/** Latency of encoding `W2.examples` examples (means only, read back), per repeat. */
export async function encodeLatency(
  model: VaeModel,
  repeats: number,
  warmup: number,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const shape = model.inputShape;
  const dim = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(binaryPool(W2.examples, dim, 3), [W2.examples, ...shape], 'float32');
  const ms: number[] = [];
  try {
    for (let r = 0; r < warmup + repeats; r++) {
      const t0 = now();
      const z = model.encode(x);
      await z.data();
      z.dispose();
      if (r >= warmup) ms.push(now() - t0);
      if (ms.length >= 3 && ms.reduce((a, b) => a + b, 0) > budgetMs) break;
    }
  } finally {
    x.dispose();
  }
  return ms;
}

export async function w2Latency(repeats: number, warmup: number, budgetMs = Number.POSITIVE_INFINITY): Promise<number[]> {
  const model = createW1Model();
  try {
    return await encodeLatency(model, repeats, warmup, budgetMs);
  } finally {
    model.dispose();
  }
}

export interface VariantTimes {
  className: string;
  /** The default config's parameter count. */
  parameters: number;
  stepMs: number[];
  encodeMs: number[];
  /** The first step's wall time (tracing included on a compiled path), kept out of `stepMs`. */
  firstStepMs?: number;
  /** What the trainer said about compiling this variant's step (native with a compile setting). */
  compile?: CompileRecord | null;
  error?: string;
}

/** Every registered variant with its default config: trainer steps on random binary data, and encode latency. */
export async function variantTimes(
  opts: { steps: number; warmup: number; encodeRepeats: number; budgetMs?: number; only?: readonly string[]; compile?: CompileSetting },
  log: (line: string) => void = () => {},
): Promise<VariantTimes[]> {
  const out: VariantTimes[] = [];
  for (const entry of listModels()) {
    if (opts.only && !opts.only.includes(entry.className)) continue;
    let model: VaeModel | undefined;
    const before = tf.memory().numTensors;
    try {
      model = createModel({ className: entry.className });
      const parameters = model.variables().reduce((n, v) => n + v.variable.size, 0);
      const run = await trainerSteps(model, opts.steps, opts.warmup, {
        ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
        ...(opts.compile !== undefined ? { compile: opts.compile } : {}),
      });
      const encodeMs = await encodeLatency(model, opts.encodeRepeats, 1, opts.budgetMs);
      out.push({ className: entry.className, parameters, stepMs: run.ms, encodeMs, firstStepMs: run.firstStepMs, compile: run.compile });
      const how = run.compile?.status === 'compiled' ? `, traced in ${run.compile.traceMs.toFixed(0)} ms` : run.compile ? `, eager: ${run.compile.reason}` : '';
      log(`${entry.className}: ${run.ms.length} steps, encode x${encodeMs.length}${how}`);
    } catch (err) {
      out.push({ className: entry.className, parameters: 0, stepMs: [], encodeMs: [], error: String(err instanceof Error ? err.message : err).split('\n')[0]! });
      log(`${entry.className}: failed: ${String(err)}`);
    } finally {
      model?.dispose();
      if (tf.memory().numTensors > before + 64) log(`${entry.className}: ${tf.memory().numTensors - before} tensors left behind`);
    }
  }
  return out;
}
