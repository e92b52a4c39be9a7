import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { functionSupport } from '../compile/native-functions.js';
import type { TrainOptions } from './options.js';
import type { CompileMode } from '../compile/compiled-step.js';
import type { DistributedTraining } from './distributed.js';
import { compiledDistributedRunner } from './distributed-compiled.js';
import { distributedStepRunner, type DistributedStepRunner } from './distributed-step.js';
import { compiledStepRunner, eagerStepRunner, type CompileEvent, type StepRunner } from './step-runner.js';

const warnedReasons = new Set<string>();

/** Whether steps can be compiled here; says once why not when they cannot. */
function compileChoice(options: TrainOptions): { mode: CompileMode; report: (event: CompileEvent) => void } | null {
  const compile = options.compile ?? 'auto';
  const report =
    options.onCompile ??
    ((event: CompileEvent) => {
      if (event.status !== 'eager' || warnedReasons.has(event.reason)) return;
      warnedReasons.add(event.reason);
      console.warn(`vaekit: compiled steps are off, training runs op by op: ${event.reason}`);
    });
  if (compile === false) return null;
  if (tf.getBackend() !== 'tensorflow') {
    options.onCompile?.({ status: 'eager', reason: `the ${tf.getBackend()} backend runs steps op by op` });
    return null;
  }
  const support = functionSupport();
  if (!support.available) {
    report({ status: 'eager', reason: support.reason });
    return null;
  }
  return { mode: compile, report };
}

/** Eager steps, or compiled ones where the backend can run them. */
export function runnerFor(model: VaeModel, optimizer: tf.Optimizer, trainable: tf.Variable[], options: TrainOptions): StepRunner {
  const choice = compileChoice(options);
  if (!choice) return eagerStepRunner(model, optimizer, trainable);
  return compiledStepRunner(model, optimizer, trainable, choice.mode, choice.report);
}

/** Data-parallel steps, eager or compiled on the same terms as one process's. */
export function distributedRunnerFor(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  distributed: DistributedTraining,
  options: TrainOptions,
): DistributedStepRunner {
  const choice = compileChoice(options);
  if (!choice) return distributedStepRunner(model, optimizer, trainable, distributed);
  return compiledDistributedRunner(model, optimizer, trainable, distributed, choice.mode, choice.report);
}
