// Runs one Task on the backend that is already selected; shared by the Node worker and the Chromium page.
import * as tf from '@tensorflow/tfjs-core';

import type { BackendSummary, Task, TaskResult } from './task.js';
import { w2Latency } from './latency.js';
import { rawSteps } from './raw-w1.js';
import { w1TrainerSteps } from './trainer-steps.js';
import { variantTimes } from './variant-times.js';
import type { StepTimes, W1Path } from './workload.js';

export async function runTask(task: Task, backend: BackendSummary, log: (line: string) => void): Promise<TaskResult> {
  if (tf.getBackend() !== (backend.name === 'native' ? 'tensorflow' : backend.name)) {
    throw new Error(`expected backend ${backend.name} to be active, tfjs has ${tf.getBackend()}`);
  }
  if (task.kind === 'variants') {
    const variants = await variantTimes(task, log);
    return { kind: 'variants', backend, variants, maxRssBytes: null };
  }
  const paths: Partial<Record<W1Path, StepTimes>> = {};
  for (const path of task.paths) {
    const t0 = performance.now();
    paths[path] =
      path === 'trainer'
        ? await w1TrainerSteps(task.steps, task.warmup, task.profile, task.perKernel, task.budgetMs, task.compile)
        : await rawSteps(path === 'raw-lean', task.steps, task.warmup, task.profile, task.perKernel, task.budgetMs);
    log(`W1 ${path}: ${task.steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const encodeMs = task.encodeRepeats > 0 ? await w2Latency(task.encodeRepeats, 1, task.budgetMs) : [];
  return { kind: 'w1', backend, paths, encodeMs, maxRssBytes: null };
}
