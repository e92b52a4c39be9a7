import * as tf from '@tensorflow/tfjs-core';
import { createModel, listModels, type VaeModel } from '@vaekit/core';

import type { CompileRecord, CompileSetting } from './compile-info.js';
import { encodeLatency } from './latency.js';
import { trainerSteps } from './trainer-steps.js';

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
