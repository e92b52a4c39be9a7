import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { functionSupport } from '../compile/native-functions.js';
import type { TrainOptions } from './options.js';
import { compiledStepRunner, eagerStepRunner, type CompileEvent, type StepRunner } from './step-runner.js';

const warnedReasons = new Set<string>();

/** Eager steps, or compiled ones where the backend can run them; says once why not when it cannot. */
export function runnerFor(model: VaeModel, optimizer: tf.Optimizer, trainable: tf.Variable[], options: TrainOptions): StepRunner {
  const compile = options.compile ?? 'auto';
  const report =
    options.onCompile ??
    ((event: CompileEvent) => {
      if (event.status !== 'eager' || warnedReasons.has(event.reason)) return;
      warnedReasons.add(event.reason);
      console.warn(`vaekit: compiled steps are off, training runs op by op: ${event.reason}`);
    });
  if (compile === false) return eagerStepRunner(model, optimizer, trainable);
  if (tf.getBackend() !== 'tensorflow') {
    options.onCompile?.({ status: 'eager', reason: `the ${tf.getBackend()} backend runs steps op by op` });
    return eagerStepRunner(model, optimizer, trainable);
  }
  const support = functionSupport();
  if (!support.available) {
    report({ status: 'eager', reason: support.reason });
    return eagerStepRunner(model, optimizer, trainable);
  }
  return compiledStepRunner(model, optimizer, trainable, compile, report);
}
