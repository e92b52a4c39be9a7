import type * as tf from '@tensorflow/tfjs-core';
import { ATTR_TYPE, constantNodes, DT_FLOAT, encodeGraphDef, placeholderNode, type ConstTensor, type GraphNode } from './graph-def.js';
import type { StepPlan } from './step-plan.js';
import { drawCalls, dtypeCode, dtypeName, refDtype, type Ref } from './step-structure.js';

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
