import * as tf from '@tensorflow/tfjs-core';
import { hasStepState, type LossContext, type VaeModel } from '../model.js';
import { SeededRandom } from '../random.js';
import type { CompiledStep, CompileMode } from '../compile/compiled-step.js';
import type { JsState, StepProgram } from '../compile/probe.js';
import { traceStep, type TraceReport } from '../compile/trace-step.js';
import { compiledSteps, settleCompiledRun } from './compiled-steps.js';
import { rateTensorSign, setOptimizerLearningRate } from './optimizer-rate.js';
import { lossAndGradients, readSummary, type StepOutcome } from './step-terms.js';

export interface StepSettings {
  readonly noiseSeed: number;
  readonly step: number;
  readonly klWeight: number;
  readonly freeBits: number;
  /** The rate of this step's update. */
  readonly learningRate: number;
  /** The cap on the gradient's global norm, or null. It is fixed for a run: a compiled step bakes it in. */
  readonly clipGradientNorm: number | null;
}

/** Runs training steps one at a time: eagerly op by op, or as compiled TensorFlow functions. */
export interface StepRunner {
  /** Runs one step on x; the update is applied only when the loss and gradient are finite. */
  run(x: tf.Tensor, settings: StepSettings): Promise<StepOutcome>;
  dispose(): void;
}

/** What became of compiling: a function per batch shape, or eager steps and why. */
export type CompileEvent =
  | { readonly status: 'compiled'; readonly mode: CompileMode; readonly batchShape: readonly number[]; readonly report: TraceReport }
  | { readonly status: 'eager'; readonly reason: string };

/** tfjs optimizers count their updates in JavaScript; a compiled update has to advance that count too. */
interface OptimizerIterations {
  iterations_: number;
}

function iterationsOf(optimizer: tf.Optimizer): OptimizerIterations {
  // `iterations_` is protected in tfjs's Optimizer; every built-in optimizer advances it once per update.
  return optimizer as unknown as OptimizerIterations;
}

/** The optimizer's JavaScript-side state a traced update changes: tracing puts it back after each recording. */
export function optimizerJsState(optimizer: tf.Optimizer, learningRate: number): JsState {
  return {
    save: () => optimizer.iterations,
    restore: (saved) => {
      iterationsOf(optimizer).iterations_ = saved as number;
      setOptimizerLearningRate(optimizer, learningRate);
    },
  };
}

/** After a compiled update is committed: the optimizer's rate and count as an eager update leaves them. */
export function afterCompiledUpdate(optimizer: tf.Optimizer, learningRate: number): void {
  // Eager steps and checkpoints read the optimizer's own rate: keep it the rate just applied.
  setOptimizerLearningRate(optimizer, learningRate);
  // Read through the getter: tfjs leaves iterations_ undefined until the first update.
  iterationsOf(optimizer).iterations_ = optimizer.iterations + 1;
}

/**
 * One training step's work before the update: the model's own state step (if it has one), then the loss
 * and its gradients. Both step runners call it, so a compiled step records the state step too.
 */
function trainingStepTerms(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  x: tf.Tensor,
  context: LossContext,
  clipNorm: number | null,
): ReturnType<typeof lossAndGradients> {
  if (hasStepState(model)) model.trainingStep(x, context);
  return lossAndGradients(model, optimizer, trainable, x, context, clipNorm);
}

export function eagerStepRunner(model: VaeModel, optimizer: tf.Optimizer, trainable: tf.Variable[]): StepRunner {
  return {
    async run(x, settings) {
      const { names, grads, summary } = trainingStepTerms(model, optimizer, trainable, x, {
        rng: new SeededRandom(settings.noiseSeed),
        step: settings.step,
        klWeight: settings.klWeight,
        freeBits: settings.freeBits,
        training: true,
      }, settings.clipGradientNorm);
      try {
        const outcome = readSummary(names, await summary.data());
        if (outcome.finite) {
          setOptimizerLearningRate(optimizer, settings.learningRate);
          optimizer.applyGradients(grads);
        }
        return outcome;
      } finally {
        tf.dispose(Object.values(grads));
        summary.dispose();
      }
    },
    dispose() {},
  };
}

/**
 * Compiled steps: the first batch of each shape traces the step (loss, gradient tape, optimizer update)
 * into one TensorFlow function; every step then runs as one call that returns the loss summary and the
 * new state, and the state is committed only when the summary is finite. When the step cannot be traced,
 * every step runs eagerly and `onEvent` hears why, once.
 */
export function compiledStepRunner(
  model: VaeModel,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  mode: CompileMode,
  onEvent: (event: CompileEvent) => void,
): StepRunner {
  const eager = eagerStepRunner(model, optimizer, trainable);
  const steps = compiledSteps(mode, onEvent);
  let names: string[] = [];
  // The rate enters the update as a tensor the optimizer makes from it (±rate): fed as that tensor's
  // value, it is an input of the function, so a schedule changes it every step without tracing again.
  const sign = rateTensorSign(optimizer);
  const scalarsOf = (settings: StepSettings) => ({
    klWeight: settings.klWeight,
    step: settings.step,
    signedLearningRate: sign * settings.learningRate,
  });

  const programFor = (freeBits: number, clipNorm: number | null): StepProgram => ({ x, scalars, rng }) => {
    const terms = trainingStepTerms(model, optimizer, trainable, x, {
      rng,
      step: scalars.step!,
      klWeight: scalars.klWeight!,
      freeBits,
      training: true,
    }, clipNorm);
    names = terms.names;
    setOptimizerLearningRate(optimizer, sign * scalars.signedLearningRate!);
    optimizer.applyGradients(terms.grads);
    tf.dispose(Object.values(terms.grads));
    return [terms.summary];
  };

  const compiledFor = (x: tf.Tensor, settings: StepSettings): CompiledStep | null =>
    steps.stepFor(x.shape.join('x'), x.shape, () =>
      traceStep({
        program: programFor(settings.freeBits, settings.clipGradientNorm),
        x,
        scalars: scalarsOf(settings),
        seed: settings.noiseSeed,
        integerScalars: ['step'],
        mode,
        jsState: optimizerJsState(optimizer, settings.learningRate),
      }),
    );

  return {
    async run(x, settings) {
      const step = compiledFor(x, settings);
      if (!step) return eager.run(x, settings);
      const run = step.run(x, scalarsOf(settings), settings.noiseSeed);
      return settleCompiledRun(run, (values) => readSummary(names, values), () => afterCompiledUpdate(optimizer, settings.learningRate));
    },
    dispose() {
      steps.dispose();
    },
  };
}
