import * as tf from '@tensorflow/tfjs-core';
import { CompiledStep, type CompileMode, type CompiledRun } from './compiled-step.js';
import { functionSupport, type NativeBinding } from './native-functions.js';
import { recordAndRestore, runAndRestore, separateVariableStorage, type JsState, type StepProgram, type StepRun } from './probe.js';
import { planWithInferredAttr } from './infer-attrs.js';
import { buildStepGraph } from './step-graph.js';
import { planStep } from './step-plan.js';
import { analyseStep, refDtype, UntraceableStepError } from './step-structure.js';

export interface TraceRequest {
  readonly program: StepProgram;
  /** A batch of the shape the function is for. */
  readonly x: tf.Tensor;
  /** The real per-step numbers and noise seed of the step about to run: the function is checked on them. */
  readonly scalars: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Per-step numbers that are whole numbers (a step count): they are probed with whole values. */
  readonly integerScalars?: readonly string[];
  /**
   * Per-step numbers that must never repeat (a collective's instance key): every run made while tracing
   * takes a new value from its function instead of a probe value.
   */
  readonly freshScalars?: Readonly<Record<string, () => number>>;
  /**
   * For steps traced by several processes in lockstep (a data-parallel cluster, whose collectives every
   * process must run alike): called once the function is built and once it is verified, with whether this
   * process got there; returns whether every process did. When one did not, all fall back together.
   */
  readonly agree?: (ok: boolean) => boolean;
  readonly mode: CompileMode;
  readonly jsState?: JsState;
}

export interface TraceReport {
  readonly ops: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly graphDefBytes: number;
  readonly constantBytes: number;
  /** Recording, analysis and registration. */
  readonly traceMs: number;
  /** The first call of the function, where TensorFlow optimizes (or XLA compiles) it. */
  readonly firstCallMs: number;
}

let functionCounter = 0;

/** Probe values for the per-step numbers: distinct per name and between the two probes, exact in float32. */
function probeScalars(names: readonly string[], integers: ReadonlySet<string>, probe: 0 | 1): Record<string, number> {
  return Object.fromEntries(
    names.map((name, i) => [
      name,
      integers.has(name) ? (probe === 0 ? 1187 : 2963) + 17 * i : (probe === 0 ? 0.4140625 : 0.6953125) + i / 64,
    ]),
  );
}

function rotatedBatch(x: tf.Tensor): tf.Tensor {
  const n = x.shape[0] ?? 1;
  if (n < 2) return tf.clone(x);
  return tf.tidy(() => tf.concat([tf.slice(x, 1, n - 1), tf.slice(x, 0, 1)], 0));
}

function disposeRun(run: StepRun): void {
  tf.dispose(run.outputs);
  tf.dispose(run.updates.map((u) => u.value));
}

/**
 * Traces a training step into one TensorFlow function. The step is recorded twice at tfjs-node's binding,
 * with different batches, noise and per-step numbers, and every variable is put back after each
 * recording, so tracing changes nothing. The two recordings must agree op for op; what differs between
 * them becomes an input. The function is then run once on the real step's inputs beside the eager step
 * and must agree with it. Throws UntraceableStepError with the reason when the step cannot be compiled.
 */
export function traceStep(request: TraceRequest): { step: CompiledStep; report: TraceReport } {
  const support = functionSupport();
  if (!support.available) throw new UntraceableStepError(support.reason);
  const { backend, binding } = support;
  const started = performance.now();
  separateVariableStorage(backend);
  const names = Object.keys(request.scalars);
  const integers = new Set(request.integerScalars ?? []);
  const probes = [probeScalars(names, integers, 0), probeScalars(names, integers, 1)] as const;
  const seeds = [(request.seed ^ 0x5bd1e995) >>> 0, (request.seed ^ 0x1b873593) >>> 0] as const;

  const record = (x: tf.Tensor, probe: 0 | 1) => {
    // A step that creates variables (an optimizer's slots on first use) is recorded again once they exist.
    for (let attempt = 0; attempt < 2; attempt++) {
      const scalars = withFresh(probes[probe], request.freshScalars);
      const run = recordAndRestore(backend, request.program, { x, scalars, seed: seeds[probe], jsState: request.jsState });
      try {
        if (run.createdVariables === 0) return { structure: analyseStep(backend, run, x), scalars };
      } finally {
        disposeRun(run);
      }
    }
    throw new UntraceableStepError('the step creates new variables every time it runs');
  };
  const built = agreed(request.agree, () => buildFunction(request, binding, record));
  const step = new CompiledStep(
    backend,
    binding,
    built.functionName,
    built.graph,
    built.plan.calls,
    built.plan.outputs.length,
    built.plan.updates.map((u) => u.variable),
    request.mode,
    request.x.shape,
  );
  const traceMs = performance.now() - started;
  const { graph } = built;
  try {
    const firstCallMs = agreed(request.agree, () => verifyAgainstEager(step, request));
    return {
      step,
      report: {
        ops: graph.opCount,
        inputs: graph.inputs.length,
        outputs: graph.outputNames.length,
        graphDefBytes: graph.graphDef.length,
        constantBytes: graph.constantBytes,
        traceMs,
        firstCallMs,
      },
    };
  } catch (error) {
    step.dispose();
    throw error;
  }
}

/** The probe values, with a new value for each fresh per-step number. */
function withFresh(probe: Readonly<Record<string, number>>, fresh: TraceRequest['freshScalars']): Record<string, number> {
  const scalars = { ...probe };
  for (const [name, next] of Object.entries(fresh ?? {})) scalars[name] = next();
  return scalars;
}

/** Runs `stage`; with `agree`, every process learns whether all of them got through it, and all fail alike. */
function agreed<T>(agree: TraceRequest['agree'], stage: () => T): T {
  if (!agree) return stage();
  let result: { value: T } | undefined;
  let failure: unknown;
  try {
    result = { value: stage() };
  } catch (error) {
    // Only a refusal to compile is agreed on; anything else is a bug or a lost peer, and surfaces as it is.
    if (!(error instanceof UntraceableStepError)) throw error;
    failure = error;
  }
  if (!agree(result !== undefined)) {
    throw failure ?? new UntraceableStepError('another worker of the cluster could not compile its step, so none does');
  }
  return result!.value;
}

type Recorder = (x: tf.Tensor, probe: 0 | 1) => { structure: ReturnType<typeof analyseStep>; scalars: Record<string, number> };

/** Records the step twice, plans its function and registers it with TensorFlow. */
function buildFunction(request: TraceRequest, binding: Required<NativeBinding>, record: Recorder) {
  const first = record(request.x, 0);
  const otherBatch = rotatedBatch(request.x);
  let second: ReturnType<Recorder>;
  try {
    second = record(otherBatch, 1);
  } finally {
    otherBatch.dispose();
  }
  let plan = planStep(first.structure, second.structure, first.scalars, second.scalars);
  const functionName = `vaekit_step_${++functionCounter}`;
  let graph = buildStepGraph(plan);
  // Each attribute tfjs-node left to TensorFlow's inference costs one refused import; bounded.
  for (let attempt = 0; ; attempt++) {
    try {
      binding.registerGraphAsFunction(graph.graphDef, functionName, graph.inputNames, graph.outputNames);
      return { functionName, graph, plan };
    } catch (error) {
      const message = (error as Error).message;
      const amended = attempt < 64 ? planWithInferredAttr(plan, message, (op, input) => refDtype(plan, plan.ops[op]!.inputs[input]!)) : null;
      if (!amended) throw new UntraceableStepError(`TensorFlow could not build the step's function: ${message}`);
      plan = amended;
      graph = buildStepGraph(plan);
    }
  }
}

/**
 * Runs the function and the eager step on the same real inputs (neither is kept) and compares every
 * output and every state update. Returns how long the function's first call took.
 */
function verifyAgainstEager(step: CompiledStep, request: TraceRequest): number {
  const support = functionSupport();
  if (!support.available) throw new UntraceableStepError(support.reason);
  const eager = runAndRestore(support.backend, request.program, { ...request, scalars: withFresh(request.scalars, request.freshScalars) });
  let compiled: CompiledRun | undefined;
  try {
    const t0 = performance.now();
    try {
      compiled = step.run(request.x, request.scalars, request.seed);
    } catch (error) {
      throw new UntraceableStepError(`TensorFlow could not run the step's function: ${(error as Error).message}`);
    }
    const firstCallMs = performance.now() - t0;
    const problem = compareRuns(eager, compiled);
    if (problem) {
      throw new UntraceableStepError(`the compiled step disagrees with the eager step on the same inputs (${problem})`);
    }
    return firstCallMs;
  } finally {
    disposeRun(eager);
    compiled?.dispose();
  }
}

/**
 * Outputs (loss terms, gradient norm) within 1e-3 relative; the state updates (new - old) together within
 * 2% of the eager update in L2, with the same variables finite. The updates are compared together, not
 * one by one: a weight whose exact gradient is zero (a bias feeding batch normalization) gets an update
 * made of rounding noise that Adam scales up to the learning rate, and no two orders of float32
 * arithmetic agree on it.
 */
function compareRuns(eager: StepRun, compiled: CompiledRun): string | null {
  if (eager.outputs.length !== compiled.outputs.length || eager.updates.length !== compiled.updates.length) {
    return 'different numbers of results';
  }
  for (let i = 0; i < eager.outputs.length; i++) {
    const e = eager.outputs[i]!.dataSync();
    const c = compiled.outputs[i]!.dataSync();
    for (let j = 0; j < e.length; j++) {
      const a = Number(e[j]);
      const b = Number(c[j]);
      const close = Number.isFinite(a) ? Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a)) : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
      if (!close) return `output ${i}[${j}]: eager ${a}, compiled ${b}`;
    }
  }
  let totalDifference = 0;
  let totalChange = 0;
  for (let i = 0; i < eager.updates.length; i++) {
    const { variable, value } = eager.updates[i]!;
    const other = compiled.updates[i]!;
    if (other.variable !== variable) return `updates in a different order at ${variable.name}`;
    const sums = tf.tidy(() => {
      const e = tf.cast(value, 'float32');
      const c = tf.cast(other.value, 'float32');
      return tf.stack([tf.sum(tf.square(tf.sub(c, e))), tf.sum(tf.square(tf.sub(e, tf.cast(variable, 'float32'))))]);
    });
    const [difference, change] = Array.from(sums.dataSync()) as [number, number];
    sums.dispose();
    if (Number.isFinite(change) !== Number.isFinite(difference)) return `${variable.name} is finite in one step and not in the other`;
    if (!Number.isFinite(change)) continue;
    totalDifference += difference;
    totalChange += change;
  }
  if (!(totalDifference <= 4e-4 * totalChange + 1e-20)) {
    return `the state updates differ by ${Math.sqrt(totalDifference).toExponential(2)} (L2), against updates of ${Math.sqrt(totalChange).toExponential(2)}`;
  }
  return null;
}
