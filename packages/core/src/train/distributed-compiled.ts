import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import type { CompiledRun, CompiledStep, CompileMode } from '../compile/compiled-step.js';
import type { StepProgram } from '../compile/probe.js';
import { traceStep } from '../compile/trace-step.js';
import type { DistributedTraining } from './distributed.js';
import {
  distributedStepRunner,
  distributedTerms,
  nextTurn,
  readDistributedSummary,
  type DistributedStepRunner,
  type ShardSettings,
} from './distributed-step.js';
import { rateTensorSign, setOptimizerLearningRate } from './optimizer-rate.js';
import { compiledSteps, settleCompiledRun } from './compiled-steps.js';
import { afterCompiledUpdate, optimizerJsState, type CompileEvent, type StepSettings } from './step-runner.js';

/**
 * Data-parallel steps as compiled TensorFlow functions: this worker's loss and gradients, the one fused
 * all-reduce (a collective op inside the function, fed a fresh instance key each run), the global norm,
 * clipping and the optimizer's update, in one call. Every worker traces at the same step, since tracing
 * runs the step's collectives eagerly, and the workers agree before using what they traced: when any one
 * cannot compile, all run op by op, so their collectives stay matched.
 */
export function compiledDistributedRunner(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  distributed: DistributedTraining,
  mode: CompileMode,
  onEvent: (event: CompileEvent) => void,
): DistributedStepRunner {
  const eager = distributedStepRunner(model, optimizer, trainable, distributed);
  // A function per batch shape and place in the global batch: a short last batch gives other shards.
  const steps = compiledSteps(mode, onEvent);
  let names: string[] = [];
  const sign = rateTensorSign(optimizer);
  const scalarsOf = (settings: StepSettings, stopFlag: number) => ({
    klWeight: settings.klWeight,
    step: settings.step,
    signedLearningRate: sign * settings.learningRate,
    stopFlag,
    instanceKey: distributed.reserveInstanceKey(),
  });

  const programFor = (where: ShardSettings, settings: StepSettings): StepProgram => ({ x, scalars, rng }) => {
    const terms = distributedTerms(model, optimizer, trainable, distributed, x, where, {
      rng,
      step: scalars.step!,
      klWeight: scalars.klWeight!,
      freeBits: settings.freeBits,
      stopFlag: scalars.stopFlag!,
      instanceKey: scalars.instanceKey!,
      clipGradientNorm: settings.clipGradientNorm,
    });
    names = terms.names;
    setOptimizerLearningRate(optimizer, sign * scalars.signedLearningRate!);
    optimizer.applyGradients(terms.update);
    tf.dispose(Object.values(terms.update));
    return [terms.summary];
  };

  // Every worker's answer, as one tiny all-reduce: the mean is 1 only when all of them succeeded.
  const agree = (ok: boolean): boolean =>
    tf.tidy(() => distributed.allReduceMean([tf.tensor1d([ok ? 1 : 0])])[0]!.dataSync()[0]! === 1);

  const compiledFor = (x: tf.Tensor, settings: StepSettings, where: ShardSettings): CompiledStep | null =>
    steps.stepFor(`${x.shape.join('x')}@${where.shard.start}/${where.globalSize}`, x.shape, () =>
      traceStep({
        program: programFor(where, settings),
        x,
        scalars: scalarsOf(settings, 0),
        seed: settings.noiseSeed,
        integerScalars: ['step'],
        freshScalars: { instanceKey: () => distributed.reserveInstanceKey() },
        agree,
        mode,
        jsState: optimizerJsState(optimizer, settings.learningRate),
      }),
    );

  return {
    async run(x, settings, where) {
      const step = compiledFor(x, settings, where);
      if (!step) return eager.run(x, settings, where);
      // As in eager steps: one turn of the event loop lets a SIGTERM's listener set this step's stop flag.
      await nextTurn();
      let run: CompiledRun;
      try {
        run = step.run(x, scalarsOf(settings, where.stop() ? 1 : 0), settings.noiseSeed);
      } catch (error) {
        throw distributed.stepFailure(error);
      }
      return settleCompiledRun(run, (values) => readDistributedSummary(names, values), () => afterCompiledUpdate(optimizer, settings.learningRate));
    },
    dispose() {
      steps.dispose();
    },
  };
}
