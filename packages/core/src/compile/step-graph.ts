import type * as tf from '@tensorflow/tfjs-core';
import {
  ATTR_TYPE,
  constantNodes,
  DT_BOOL,
  DT_FLOAT,
  DT_INT32,
  encodeGraphDef,
  placeholderNode,
  type ConstTensor,
  type GraphNode,
  type OpAttr,
} from './graph-def.js';
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

interface TracedOp {
  readonly name: string;
  readonly attrs: readonly OpAttr[];
  readonly inputs: readonly Ref[];
  readonly outputs: ReadonlyArray<{ readonly shape: readonly number[]; readonly dtype: number }>;
}

/** A tensor the step uses that neither an op of the step, the batch, a variable nor a draw produced. */
interface External {
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

export type ExternalRole =
  | { readonly kind: 'constant' }
  | { readonly kind: 'scalar'; readonly name: string };

/** A traced step ready to become a function: the structure plus what each external tensor stands for. */
export interface StepPlan extends StepStructure {
  readonly roles: readonly ExternalRole[];
}

export type FunctionInput =
  | { readonly kind: 'x' }
  | { readonly kind: 'state'; readonly variable: tf.Variable }
  | { readonly kind: 'draw'; readonly index: number }
  | { readonly kind: 'scalar'; readonly name: string; readonly dtype: 'float32' | 'int32' | 'bool'; readonly shape: readonly number[] };

export interface StepGraph {
  readonly graphDef: Uint8Array;
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputs: readonly FunctionInput[];
  readonly constantBytes: number;
  readonly opCount: number;
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

function sameRef(a: Ref, b: Ref): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'op':
      return b.kind === 'op' && a.op === b.op && a.output === b.output;
    case 'state':
      return b.kind === 'state' && a.variable === b.variable;
    case 'draw':
    case 'external':
      return 'index' in b && a.index === b.index;
    case 'x':
      return true;
  }
}

function sameBytes(a: ConstTensor['values'], b: ConstTensor['values']): boolean {
  if (a.byteLength !== b.byteLength || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function allEqual(values: ConstTensor['values'], target: number): boolean {
  if (values.length === 0) return false;
  for (let i = 0; i < values.length; i++) if (values[i] !== target) return false;
  return true;
}

/** The value a per-step number takes in a tensor of this dtype, as tfjs would store it. */
function stored(value: number, dtype: number): number {
  if (dtype === DT_FLOAT) return Math.fround(value);
  if (dtype === DT_INT32) return value | 0;
  return value ? 1 : 0;
}

/**
 * Two recordings of the step, run with different batches, noise and per-step numbers, must do the same
 * ops in the same order. A tensor JavaScript made that differs between them is a per-step input: it must
 * be one of the named per-step numbers (seen as its probe values), or the step cannot be traced.
 */
export function planStep(
  a: StepStructure,
  b: StepStructure,
  probeA: Readonly<Record<string, number>>,
  probeB: Readonly<Record<string, number>>,
): StepPlan {
  const differ = (what: string): never => {
    throw new UntraceableStepError(
      `the step's operations depend on the data, the noise or the step's numbers through JavaScript (${what}); ` +
        'branch with tensor ops (tf.where) or pass the value through the loss context',
    );
  };
  if (a.ops.length !== b.ops.length) differ(`${a.ops.length} ops in one step, ${b.ops.length} in another`);
  if (JSON.stringify(a.calls) !== JSON.stringify(b.calls)) differ('the random draws differ');
  a.ops.forEach((opA, k) => {
    const opB = b.ops[k]!;
    if (opA.name !== opB.name) differ(`op ${k} is ${opA.name} in one step and ${opB.name} in another`);
    if (JSON.stringify(opA.attrs) !== JSON.stringify(opB.attrs)) differ(`op ${k} (${opA.name}) has other attributes`);
    if (JSON.stringify(opA.outputs) !== JSON.stringify(opB.outputs)) differ(`op ${k} (${opA.name}) has other output shapes`);
    if (opA.inputs.length !== opB.inputs.length || opA.inputs.some((r, i) => !sameRef(r, opB.inputs[i]!))) {
      differ(`op ${k} (${opA.name}) reads other inputs`);
    }
  });
  const sameList = (x: readonly Ref[], y: readonly Ref[]): boolean => x.length === y.length && x.every((r, i) => sameRef(r, y[i]!));
  if (!sameList(a.outputs, b.outputs)) differ('the step returns other tensors');
  if (
    a.updates.length !== b.updates.length ||
    a.updates.some((u, i) => u.variable !== b.updates[i]!.variable || !sameRef(u.ref, b.updates[i]!.ref))
  ) {
    differ('the step assigns other variables');
  }
  if (a.externals.length !== b.externals.length) differ('it makes a different number of tensors in JavaScript');

  const roles = a.externals.map((extA, index): ExternalRole => {
    const extB = b.externals[index]!;
    const { tensor } = extA;
    if (JSON.stringify(tensor.shape) !== JSON.stringify(extB.tensor.shape) || tensor.dtype !== extB.tensor.dtype) {
      differ(`a tensor made in JavaScript for ${extA.firstUse} changes shape`);
    }
    if (sameBytes(tensor.values, extB.tensor.values)) return { kind: 'constant' };
    const names = Object.keys(probeA).filter(
      (name) =>
        allEqual(tensor.values, stored(probeA[name]!, tensor.dtype)) &&
        allEqual(extB.tensor.values, stored(probeB[name]!, tensor.dtype)),
    );
    if (names.length !== 1) {
      throw new UntraceableStepError(
        `a ${dtypeName(tensor.dtype)}[${tensor.shape.join(',')}] tensor made in JavaScript for ${extA.firstUse} changes from ` +
          `step to step, and it is not a draw of the loss context's rng nor one of ${Object.keys(probeA).join(', ')} ` +
          '(a value computed from them in JavaScript, such as beta * klWeight, cannot be traced: compute it with tensor ops)',
      );
    }
    return { kind: 'scalar', name: names[0]! };
  });
  return { ...a, roles };
}

/** The plan as a GraphDef: placeholders for the per-step inputs, constants, one node per op, Identity outputs. */
export function buildStepGraph(plan: StepPlan): StepGraph {
  const nodes: GraphNode[] = [];
  const inputs: FunctionInput[] = [];
  const inputNames: string[] = [];
  const stateNames = new Map<tf.Variable, string>();
  const drawNames = new Map<number, string>();
  let constantBytes = 0;

  const addInput = (name: string, input: FunctionInput, dtype: number, shape: readonly number[]): void => {
    nodes.push(placeholderNode(name, dtype, shape));
    inputs.push(input);
    inputNames.push(name);
  };
  const dtypeOf = (ref: Ref): number => refDtype(plan, ref);
  const nameOf = (ref: Ref): string => {
    switch (ref.kind) {
      case 'op':
        return ref.output === 0 ? `op${ref.op}` : `op${ref.op}:${ref.output}`;
      case 'x':
        return 'x';
      case 'state': {
        let name = stateNames.get(ref.variable);
        if (!name) {
          name = `state${stateNames.size}`;
          stateNames.set(ref.variable, name);
          addInput(name, { kind: 'state', variable: ref.variable }, dtypeCode(ref.variable.dtype), ref.variable.shape);
        }
        return name;
      }
      case 'draw': {
        let name = drawNames.get(ref.index);
        if (!name) {
          name = `draw${ref.index}`;
          drawNames.set(ref.index, name);
          const call = drawCalls(plan.calls)[ref.index]!;
          addInput(name, { kind: 'draw', index: ref.index }, DT_FLOAT, call);
        }
        return name;
      }
      case 'external':
        return `external${ref.index}`;
    }
  };

  addInput('x', { kind: 'x' }, plan.x.dtype, plan.x.shape);
  plan.externals.forEach((ext, index) => {
    const role = plan.roles[index]!;
    const name = `external${index}`;
    if (role.kind === 'scalar') {
      addInput(name, { kind: 'scalar', name: role.name, dtype: dtypeName(ext.tensor.dtype), shape: ext.tensor.shape }, ext.tensor.dtype, ext.tensor.shape);
    } else {
      const made = constantNodes(name, ext.tensor);
      for (const node of made) if (node.op === 'Const') constantBytes += (node.attrs[1]!.value as ConstTensor).values.byteLength;
      nodes.push(...made);
    }
  });
  plan.ops.forEach((op, k) => {
    nodes.push({ name: `op${k}`, op: op.name, inputs: op.inputs.map(nameOf), attrs: op.attrs });
  });
  const results = [...plan.outputs, ...plan.updates.map((u) => u.ref)];
  const outputNames = results.map((ref, k) => {
    const name = `result${k}`;
    nodes.push({ name, op: 'Identity', inputs: [nameOf(ref)], attrs: [{ name: 'T', type: ATTR_TYPE, value: dtypeOf(ref) }] });
    return name;
  });
  return { graphDef: encodeGraphDef(nodes), inputNames, outputNames, inputs, constantBytes, opCount: plan.ops.length };
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
