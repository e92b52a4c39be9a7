// Measures the page's own training step on one backend: wall time per step, and which kernels the step's
// time goes to. Not part of the page: scripts/measure-steps.mjs imports this module into the page served by
// the dev server and calls it, so it trains exactly the page's model on the page's MNIST.
import * as tf from '@tensorflow/tfjs-core';
import { isBackendName, useBackend, type BackendInfo } from '@vaekit/backends';
import { train, type Dataset, type VaeModel } from '@vaekit/core';
import { createVae } from '@vaekit/variants';

import { loadPageMnist } from './mnist.js';
import { BATCH_SIZE, LEARNING_RATE, MODEL } from './training-settings.js';
import { configureWasmBinaries } from './wasm-paths.js';

/** One kernel name's share of the profiled steps. */
export interface KernelShare {
  name: string;
  calls: number;
  /** Device time summed over the calls, as the backend's timer reports it (0 when it has none). */
  totalMs: number;
  /** The slowest call's input shapes, e.g. `[100,784]x[784,256]`. */
  slowestShapes: string;
  slowestMs: number;
}

export interface StepMeasurement {
  backend: string;
  runtime: string;
  /** The first step: shader compilation, buffer allocation, weight upload. */
  firstStepMs: number;
  /** Every later step, in order. */
  stepMs: number[];
  medianStepMs: number;
  /** Sorted by total time, slowest first; empty when no profile was asked for. */
  kernels: KernelShare[];
  profiledSteps: number;
  /** Whether the backend's kernel timer measured anything (webgpu needs the adapter's timestamp queries). */
  kernelTimerWorks: boolean;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Trains `steps` steps and returns each step's wall time, from one step's end to the next one's. */
async function timedSteps(model: VaeModel, data: Dataset, steps: number, seed: number): Promise<number[]> {
  const controller = new AbortController();
  const times: number[] = [];
  let mark = performance.now();
  await train(model, data, {
    epochs: Math.ceil((steps * BATCH_SIZE) / data.size),
    batchSize: BATCH_SIZE,
    seed,
    optimizer: { type: 'adam', learningRate: LEARNING_RATE },
    signal: controller.signal,
    onStep: (event) => {
      const now = performance.now();
      times.push(now - mark);
      mark = now;
      if (event.step >= steps) controller.abort();
    },
  });
  return times;
}

function shapesOf(shapes: readonly (readonly number[] | null)[]): string {
  // An optional input a kernel was not given has no shape.
  return shapes.map((s) => (s ? `[${s.join(',')}]` : '-')).join('x');
}

function kernelShares(kernels: Awaited<ReturnType<typeof tf.profile>>['kernels']): KernelShare[] {
  const byName = new Map<string, KernelShare>();
  for (const kernel of kernels) {
    // `name__op` entries are ops run through a custom gradient: they wrap kernels profiled on their own, and
    // counting both would count that time twice.
    if (kernel.name.endsWith('__op')) continue;
    // A backend without a timer reports an error object instead of milliseconds.
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    const share = byName.get(kernel.name) ?? { name: kernel.name, calls: 0, totalMs: 0, slowestShapes: '', slowestMs: -1 };
    share.calls += 1;
    share.totalMs += ms;
    if (ms > share.slowestMs) {
      share.slowestMs = ms;
      share.slowestShapes = shapesOf(kernel.inputShapes);
    }
    byName.set(kernel.name, share);
  }
  return [...byName.values()].sort((a, b) => b.totalMs - a.totalMs);
}

/**
 * Selects `backend`, builds the page's model, trains `steps` timed steps (the first reported apart), then
 * `profiledSteps` more under `tf.profile` to split the time by kernel.
 */
export async function measureSteps(backend: string, steps: number, profiledSteps: number): Promise<StepMeasurement> {
  if (!isBackendName(backend)) throw new Error(`backend is '${backend}', expected one of webgpu, webgl, wasm, cpu`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`steps is ${steps}, expected a whole number of at least 2`);
  configureWasmBinaries();
  const info: BackendInfo = await useBackend(backend);
  const data = await loadPageMnist();
  const model = createVae(MODEL);
  try {
    const [first, ...rest] = await timedSteps(model, data.train, steps, 7);
    let kernels: KernelShare[] = [];
    if (profiledSteps > 0) {
      const profile = await tf.profile(async () => {
        await timedSteps(model, data.train, profiledSteps, 8);
      });
      kernels = kernelShares(profile.kernels);
    }
    return {
      backend: info.name,
      runtime: info.runtime,
      firstStepMs: first ?? Number.NaN,
      stepMs: rest,
      medianStepMs: median(rest),
      kernels,
      profiledSteps,
      kernelTimerWorks: kernels.some((k) => k.totalMs > 0),
    };
  } finally {
    model.dispose();
  }
}
