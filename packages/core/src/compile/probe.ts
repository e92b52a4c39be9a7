import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random.js';
import { recordBindingCalls, type BindingRecord } from './op-recorder.js';
import { RecordingRandom, type RandomCall } from './recording-random.js';
import { bindingId, type NativeKernelBackend } from './native-functions.js';

export interface StepInputs {
  readonly x: tf.Tensor;
  /** Per-step numbers (the KL weight, the step count) by name. */
  readonly scalars: Readonly<Record<string, number>>;
  readonly rng: SeededRandom;
}

/**
 * One training step written for tracing: it changes state only by assigning variables, reads nothing
 * back, and returns the tensors JavaScript wants afterwards (a loss summary). Everything it computes
 * from the inputs must go through tensor ops.
 */
export type StepProgram = (inputs: StepInputs) => tf.Tensor[];

/** JavaScript-side state the program changes besides variables (an optimizer's iteration count). */
export interface JsState {
  save(): unknown;
  restore(saved: unknown): void;
}

export interface StepRun {
  readonly outputs: tf.Tensor[];
  /** The variables the step assigned, with their new values (the caller disposes these tensors). */
  readonly updates: ReadonlyArray<{ readonly variable: tf.Variable; readonly value: tf.Tensor }>;
  /** Variables the step created (an optimizer's lazily made slots); they were reset to their initial values. */
  readonly createdVariables: number;
}

export interface RecordedStep extends StepRun {
  readonly record: BindingRecord;
  readonly xId: number;
  /** The binding id of each variable's value when the step started. */
  readonly stateIds: ReadonlyMap<number, tf.Variable>;
  /** Binding ids of the random draws, in draw order. */
  readonly drawIds: readonly number[];
  readonly calls: readonly RandomCall[];
  readonly outputIds: readonly number[];
  readonly updateIds: readonly number[];
}

function registeredVariables(): tf.Variable[] {
  return Object.values(tf.engine().registeredVariables);
}

/**
 * Gives every variable its own binding tensor. Two variables can share one (tfjs's `variable(t)` keeps
 * t's data, so VQ-VAE's codebook and EMA sums start as the same tensor), and a trace could then not
 * tell which of them an op reads. The copy is TensorFlow's Identity: the same bits.
 */
export function separateVariableStorage(backend: NativeKernelBackend): void {
  const seen = new Set<object>();
  for (const variable of registeredVariables()) {
    if (seen.has(variable.dataId)) {
      const attrs = [{ name: 'T', type: 4, value: backend.binding[variable.dtype === 'int32' ? 'TF_INT32' : variable.dtype === 'bool' ? 'TF_BOOL' : 'TF_FLOAT'] }];
      const [copy] = backend.executeMultipleOutputs('Identity', attrs, [variable], 1);
      variable.assign(copy!);
      copy!.dispose();
    }
    seen.add(variable.dataId);
  }
}

/** What one eager run of the program is given. */
export interface ProbeInput {
  readonly x: tf.Tensor;
  readonly scalars: Readonly<Record<string, number>>;
  readonly seed: number;
  readonly jsState?: JsState | undefined;
}

/** Runs the program once eagerly and puts every variable and the JavaScript state back as they were. */
export function runAndRestore(backend: NativeKernelBackend, program: StepProgram, input: ProbeInput): StepRun {
  return execute(backend, program, input, false);
}

/** `runAndRestore`, recording every call the step makes at tfjs-node's binding. */
export function recordAndRestore(backend: NativeKernelBackend, program: StepProgram, input: ProbeInput): RecordedStep {
  return execute(backend, program, input, true) as RecordedStep;
}

function execute(backend: NativeKernelBackend, program: StepProgram, input: ProbeInput, record: boolean): StepRun | RecordedStep {
  const { x, scalars, seed, jsState } = input;
  const variables = registeredVariables();
  const startDataIds = variables.map((v) => v.dataId);
  // Identity shares the data: these hold the starting values alive through the variables' assigns.
  const saved = variables.map((v) => tf.keep(tf.clone(v)));
  const startIds = backend.getInputTensorIds([x, ...variables]);
  const stateIds = new Map<number, tf.Variable>();
  variables.forEach((v, i) => stateIds.set(startIds[i + 1]!, v));
  const savedJs = jsState?.save();

  // Every tf.variable() goes through the engine's makeVariable: wrapping it catches variables the step
  // creates (an optimizer's slots on first use) with their initial values, so they can be reset too.
  type MakeVariable = (...args: unknown[]) => tf.Variable;
  const engine = tf.engine() as unknown as { makeVariable: MakeVariable };
  const makeVariable = engine.makeVariable;
  const created: Array<{ variable: tf.Variable; initial: tf.Tensor }> = [];
  engine.makeVariable = (...args: unknown[]) => {
    const v = makeVariable.apply(engine, args);
    created.push({ variable: v, initial: tf.keep(tf.clone(v)) });
    return v;
  };
  const drawIds: number[] = [];
  const rng = record
    ? RecordingRandom.root(seed, (t) => drawIds.push(bindingId(backend, t)))
    : { rng: null, calls: [] as RandomCall[] };
  const run = (): tf.Tensor[] => program({ x, scalars, rng: rng.rng ?? new SeededRandom(seed) });
  let outputs: tf.Tensor[];
  let bindingRecord: BindingRecord | null = null;
  try {
    if (record) {
      const recorded = recordBindingCalls(backend, run);
      outputs = recorded.result;
      bindingRecord = recorded.record;
    } else {
      outputs = run();
    }
  } catch (error) {
    restore();
    throw error;
  } finally {
    engine.makeVariable = makeVariable;
  }
  const updates: Array<{ variable: tf.Variable; value: tf.Tensor }> = [];
  variables.forEach((v, i) => {
    if (v.dataId !== startDataIds[i]) updates.push({ variable: v, value: tf.keep(tf.clone(v)) });
  });
  const outputIds = record ? backend.getInputTensorIds(outputs) : [];
  const updateIds = record ? backend.getInputTensorIds(updates.map((u) => u.value)) : [];
  const createdVariables = created.length;
  restore();
  const run0: StepRun = { outputs, updates, createdVariables };
  if (!record) return run0;
  return { ...run0, record: bindingRecord!, xId: startIds[0]!, stateIds, drawIds, calls: rng.calls, outputIds, updateIds };

  function restore(): void {
    variables.forEach((v, i) => {
      if (v.dataId !== startDataIds[i]) v.assign(saved[i]!);
    });
    for (const { variable, initial } of created) {
      variable.assign(initial);
      initial.dispose();
    }
    created.length = 0;
    tf.dispose(saved);
    if (jsState) jsState.restore(savedJs);
  }
}
