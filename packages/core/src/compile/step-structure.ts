import type * as tf from '@tensorflow/tfjs-core';
import { ATTR_TYPE, DT_BOOL, DT_FLOAT, DT_INT32, type ConstTensor, type OpAttr } from './graph-def.js';
import type { NativeKernelBackend } from './native-functions.js';
import type { RecordedStep } from './probe.js';
import type { RandomCall } from './recording-random.js';

/** Where an op's input comes from, in terms that mean the same thing in two recordings of the step. */
export type Ref =
  | { readonly kind: 'op'; readonly op: number; readonly output: number }
  | { readonly kind: 'x' }
  | { readonly kind: 'state'; readonly variable: tf.Variable }
  | { readonly kind: 'draw'; readonly index: number }
  | { readonly kind: 'external'; readonly index: number };

export interface TracedOp {
  readonly name: string;
  readonly attrs: readonly OpAttr[];
  readonly inputs: readonly Ref[];
  readonly outputs: ReadonlyArray<{ readonly shape: readonly number[]; readonly dtype: number }>;
}

/** A tensor the step uses that neither an op of the step, the batch, a variable nor a draw produced. */
export interface External {
  readonly tensor: ConstTensor;
  readonly firstUse: string;
}

/** One recorded step, described independently of its binding ids. */
export interface StepStructure {
  readonly ops: readonly TracedOp[];
  readonly externals: readonly External[];
  readonly outputs: readonly Ref[];
  readonly updates: ReadonlyArray<{ readonly variable: tf.Variable; readonly ref: Ref }>;
  readonly calls: readonly RandomCall[];
  readonly x: { readonly dtype: number; readonly shape: readonly number[] };
}

export class UntraceableStepError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UntraceableStepError';
  }
}

function dtypeOfValues(values: ConstTensor['values']): number {
  if (values instanceof Float32Array) return DT_FLOAT;
  if (values instanceof Int32Array) return DT_INT32;
  return DT_BOOL;
}

export function dtypeName(dtype: number): 'float32' | 'int32' | 'bool' {
  if (dtype === DT_FLOAT) return 'float32';
  if (dtype === DT_INT32) return 'int32';
  if (dtype === DT_BOOL) return 'bool';
  throw new UntraceableStepError(`the step uses a tensor of TensorFlow dtype ${dtype}, which vaekit does not trace`);
}

/** Values and shape of a tensor made before the step (a mask or constant a model holds). */
function readCaptured(backend: NativeKernelBackend, id: number): ConstTensor {
  const { binding } = backend;
  const values = binding.tensorDataSync(id);
  const dtype = dtypeOfValues(values);
  const attrs: OpAttr[] = [
    { name: 'T', type: ATTR_TYPE, value: dtype },
    { name: 'out_type', type: ATTR_TYPE, value: DT_INT32 },
  ];
  const [meta] = binding.executeOp('Shape', attrs, [id], 1);
  const shape = Array.from(binding.tensorDataSync(meta!.id));
  binding.deleteTensor(meta!.id);
  return { dtype, shape, values: values.slice() };
}

function describeRef(ref: Ref, ops: readonly TracedOp[]): string {
  switch (ref.kind) {
    case 'op':
      return `the output of op ${ref.op} (${ops[ref.op]!.name})`;
    case 'x':
      return 'the batch';
    case 'state':
      return `variable ${ref.variable.name}`;
    case 'draw':
      return `random draw ${ref.index}`;
    case 'external':
      return `constant ${ref.index}`;
  }
}

/** Describes a recorded step in terms of refs, and refuses what a function cannot reproduce. */
export function analyseStep(backend: NativeKernelBackend, step: RecordedStep, x: tf.Tensor): StepStructure {
  const { record } = step;
  const produced = new Map<number, { op: number; output: number }>();
  const draws = new Map(step.drawIds.map((id, index) => [id, index]));
  const externalIndex = new Map<number, number>();
  const externals: External[] = [];
  const ops: TracedOp[] = [];

  const resolve = (id: number, use: string): Ref => {
    const p = produced.get(id);
    if (p) return { kind: 'op', ...p };
    if (id === step.xId) return { kind: 'x' };
    const draw = draws.get(id);
    if (draw !== undefined) return { kind: 'draw', index: draw };
    const variable = step.stateIds.get(id);
    if (variable) return { kind: 'state', variable };
    let index = externalIndex.get(id);
    if (index === undefined) {
      index = externals.length;
      externalIndex.set(id, index);
      externals.push({ tensor: record.created.get(id) ?? readCaptured(backend, id), firstUse: use });
    }
    return { kind: 'external', index };
  };

  record.ops.forEach((op, k) => {
    const inputs = op.inputs.map((id) => resolve(id, `op ${k} (${op.name})`));
    op.outputs.forEach((meta, output) => produced.set(meta.id, { op: k, output }));
    ops.push({ name: op.name, attrs: op.attrs, inputs, outputs: op.outputs.map((m) => ({ shape: m.shape, dtype: m.dtype })) });
  });

  for (const read of record.reads) {
    if (read.boundsCheckOnly) continue;
    const p = produced.get(read.id);
    const what = p
      ? describeRef({ kind: 'op', ...p }, ops)
      : read.id === step.xId
        ? 'the batch'
        : step.stateIds.has(read.id)
          ? `variable ${step.stateIds.get(read.id)!.name}`
          : draws.has(read.id)
            ? 'a random draw'
            : null;
    if (what) {
      throw new UntraceableStepError(
        `the step reads ${what} back to JavaScript in the middle of the step (after op ${read.atOp}); ` +
          'decide with tensor ops instead, or between steps',
      );
    }
  }

  return {
    ops,
    externals,
    outputs: step.outputIds.map((id, i) => resolve(id, `output ${i}`)),
    updates: step.updates.map((u, i) => ({ variable: u.variable, ref: resolve(step.updateIds[i]!, `the new value of ${u.variable.name}`) })),
    calls: step.calls,
    x: { dtype: dtypeCode(x.dtype), shape: x.shape },
  };
}

/** The TensorFlow dtype of what a ref points at. */
export function refDtype(plan: StepStructure, ref: Ref): number {
  switch (ref.kind) {
    case 'op':
      return plan.ops[ref.op]!.outputs[ref.output]!.dtype;
    case 'x':
      return plan.x.dtype;
    case 'state':
      return dtypeCode(ref.variable.dtype);
    case 'draw':
      return DT_FLOAT;
    case 'external':
      return plan.externals[ref.index]!.tensor.dtype;
  }
}

export function dtypeCode(dtype: tf.DataType): number {
  if (dtype === 'float32') return DT_FLOAT;
  if (dtype === 'int32') return DT_INT32;
  if (dtype === 'bool') return DT_BOOL;
  throw new UntraceableStepError(`the step holds a ${dtype} variable, which vaekit does not trace`);
}

/** The shapes of the tensor draws among the random calls, in draw order. */
export function drawCalls(calls: readonly RandomCall[]): Array<readonly number[]> {
  const shapes: Array<readonly number[]> = [];
  for (const call of calls) if (call.method === 'normal' || call.method === 'uniform') shapes.push(call.shape);
  return shapes;
}
