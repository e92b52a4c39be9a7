import * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset, NamedVariable, SamplerFitEvent, SeededRandom } from '@vaekit/core';
import type { VqCodeModel } from './vq-code-model.js';
import type { VqCodePriorSettings } from './vq-code-prior-settings.js';

/** What is fitted: log p(c) of code sequences int32 [n, L], and the weights that set it. */
export interface CodeScorer {
  logProb(codes: tf.Tensor): tf.Tensor1D;
  variables(): NamedVariable[];
}

/** Code sequences held on the CPU: `rows` sequences of `length` indices, row-major. */
export interface CodeTable {
  readonly codes: Int32Array;
  readonly rows: number;
  readonly length: number;
}

/** `codeIndices` of every example in order, batch by batch, copied to the CPU. */
export async function collectCodes(
  model: VqCodeModel,
  data: AsyncDataset,
  options: { readonly batchSize: number; readonly seed: number; readonly onProgress?: (done: number, total: number) => void },
): Promise<CodeTable> {
  const length = model.latentShape[0]!;
  const codes = new Int32Array(data.size * length);
  for (let start = 0; start < data.size; start += options.batchSize) {
    const indices = Array.from({ length: Math.min(options.batchSize, data.size - start) }, (_, i) => start + i);
    const x = await data.batch(indices, options.seed);
    try {
      const batchCodes = model.codeIndices(x);
      try {
        codes.set(await batchCodes.data(), start * length);
      } finally {
        batchCodes.dispose();
      }
    } finally {
      x.dispose();
    }
    options.onProgress?.(start + indices.length, data.size);
  }
  return { codes, rows: data.size, length };
}

function permutation(n: number, rng: SeededRandom): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The rows of a table at `rows`, as a new table. */
export function pickRows(table: CodeTable, rows: readonly number[]): CodeTable {
  const codes = new Int32Array(rows.length * table.length);
  rows.forEach((row, i) => codes.set(table.codes.subarray(row * table.length, (row + 1) * table.length), i * table.length));
  return { codes, rows: rows.length, length: table.length };
}

/** A seeded tenth of the rows (at least one) held out, the rest to train on. */
export function splitHeldOut(table: CodeTable, rng: SeededRandom): { train: CodeTable; heldOut: CodeTable } {
  if (table.rows < 2) throw new RangeError(`the code prior needs at least 2 training examples to hold some out, got ${table.rows}; or pass heldOut`);
  const order = permutation(table.rows, rng);
  const held = Math.max(1, Math.round(table.rows / 10));
  return { heldOut: pickRows(table, order.slice(0, held)), train: pickRows(table, order.slice(held)) };
}

/** Mean −log p(c) per sequence in nats over a table, in batches. */
export async function meanNll(prior: CodeScorer, table: CodeTable, batchSize: number): Promise<number> {
  let sum = 0;
  for (let start = 0; start < table.rows; start += batchSize) {
    const rows = Math.min(batchSize, table.rows - start);
    const total = tf.tidy(() => {
      const codes = tf.tensor2d(table.codes.subarray(start * table.length, (start + rows) * table.length), [rows, table.length], 'int32');
      return tf.sum(prior.logProb(codes));
    });
    sum -= (await total.data())[0]!;
    total.dispose();
  }
  return sum / table.rows;
}

/**
 * Copies of every weight, kept on the backend: a synchronous read would fail on WebGPU's software
 * adapters, and an asynchronous one would stall each epoch for nothing.
 */
function snapshot(variables: readonly tf.Variable[]): tf.Tensor[] {
  return variables.map((v) => tf.clone(v));
}

function restore(variables: readonly tf.Variable[], values: readonly tf.Tensor[]): void {
  variables.forEach((v, i) => v.assign(values[i]!));
}

/**
 * Adam on the mean cross-entropy per code of the training sequences, epoch after epoch, keeping the
 * weights of the epoch whose held-out NLL was least. Returns that NLL (nats per sequence) and its epoch.
 */
export async function trainCodePrior(
  prior: CodeScorer,
  data: { readonly train: CodeTable; readonly heldOut: CodeTable },
  settings: VqCodePriorSettings,
  rng: SeededRandom,
  onProgress?: (event: SamplerFitEvent) => void,
): Promise<{ heldOutNll: number; bestEpoch: number }> {
  const { train, heldOut } = data;
  if (train.rows < 1) throw new RangeError('the code prior has no training sequences to fit');
  const variables = prior.variables().map(({ variable }) => variable);
  const optimizer = tf.train.adam(settings.learningRate);
  let best = { heldOutNll: await meanNll(prior, heldOut, settings.batchSize), bestEpoch: 0 };
  let bestValues = snapshot(variables);
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const order = permutation(train.rows, rng);
      for (let start = 0; start < train.rows; start += settings.batchSize) {
        const batch = pickRows(train, order.slice(start, start + settings.batchSize));
        const codes = tf.tensor2d(batch.codes, [batch.rows, batch.length], 'int32');
        try {
          // Per code, so the step size does not depend on the sequence length.
          optimizer.minimize(() => tf.div(tf.neg(tf.mean(prior.logProb(codes))), batch.length) as tf.Scalar, false, variables);
        } finally {
          codes.dispose();
        }
      }
      const heldOutNll = await meanNll(prior, heldOut, settings.batchSize);
      if (heldOutNll < best.heldOutNll) {
        best = { heldOutNll, bestEpoch: epoch };
        tf.dispose(bestValues);
        bestValues = snapshot(variables);
      }
      onProgress?.({ stage: `epoch ${epoch}`, done: epoch, total: settings.epochs, value: heldOutNll });
    }
    restore(variables, bestValues);
  } finally {
    optimizer.dispose();
    tf.dispose(bestValues);
  }
  return best;
}
