import * as tf from '@tensorflow/tfjs-core';
import { train, type CompileEvent, type DistributedTraining, type VaeModel } from '@vaekit/core';

import { compileRecord, type CompileRecord, type CompileSetting } from './compile-info.js';
import { binaryDataset, createW1Model, now, W1, type StepTimes } from './workload.js';

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
  options: {
    budgetMs?: number;
    batchSize?: number;
    compile?: CompileSetting;
    /** One worker of a data-parallel run: `batchSize` is then the global batch. */
    distributed?: DistributedTraining;
    /** Called at every step's end, with the step's index from 0 (the distributed bench reads counters there). */
    onStepEnd?: (index: number) => void;
  } = {},
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
    ...(options.distributed ? { distributed: options.distributed } : {}),
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
      options.onStepEnd?.(marks.length - 1);
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

export function summarizeProfile(
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
