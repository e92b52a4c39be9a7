import * as tf from '@tensorflow/tfjs-core';
import type { CompiledStep, CompileMode } from './compile/compiled-step.js';
import { functionSupport } from './compile/native-functions.js';
import { UntraceableStepError } from './compile/step-structure.js';
import { traceStep } from './compile/trace-step.js';
import type { VaeModel } from './model.js';
import { SeededRandom } from './random.js';
import type { CompileEvent } from './train/step-runner.js';

/** Per-example log-sum-exp of `size` importance log-weights of a batch, eagerly or as compiled functions. */
export interface IwaeChunks {
  run(x: tf.Tensor, size: number, seed: number): tf.Tensor1D;
  dispose(): void;
}

function eagerChunk(model: VaeModel, x: tf.Tensor, size: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => tf.logSumExp(model.logWeights(x, size, new SeededRandom(seed)), 0) as tf.Tensor1D);
}

/**
 * With compiling on and the native backend active, each (batch shape, chunk size) is traced once into a
 * TensorFlow function, as training steps are; k = 1000 over a test set runs thousands of chunks.
 */
export function iwaeChunks(model: VaeModel, compile: CompileMode | false, onCompile?: (event: CompileEvent) => void): IwaeChunks {
  const compiled = new Map<string, CompiledStep>();
  let eager = compile === false || !functionSupport().available;
  return {
    run(x, size, seed) {
      if (eager || compile === false) return eagerChunk(model, x, size, seed);
      const key = `${x.shape.join('x')}:${size}`;
      let step = compiled.get(key);
      if (!step) {
        try {
          const traced = traceStep({
            program: ({ x: batch, rng }) => [tf.tidy(() => tf.logSumExp(model.logWeights(batch, size, rng), 0))],
            x,
            scalars: {},
            seed,
            mode: compile,
          });
          step = traced.step;
          compiled.set(key, step);
          onCompile?.({ status: 'compiled', mode: compile, batchShape: [...x.shape], report: traced.report });
        } catch (error) {
          if (!(error instanceof UntraceableStepError)) throw error;
          eager = true;
          onCompile?.({ status: 'eager', reason: error.message });
          return eagerChunk(model, x, size, seed);
        }
      }
      const run = step.run(x, {}, seed);
      run.commit();
      return run.outputs[0] as tf.Tensor1D;
    },
    dispose() {
      for (const step of compiled.values()) step.dispose();
      compiled.clear();
    },
  };
}
