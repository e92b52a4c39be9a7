import { DT_FLOAT, DT_INT32, type ConstTensor } from './graph-def.js';
import { dtypeName, UntraceableStepError, type Ref, type StepStructure } from './step-structure.js';

export type ExternalRole =
  | { readonly kind: 'constant' }
  | { readonly kind: 'scalar'; readonly name: string };

/** A traced step ready to become a function: the structure plus what each external tensor stands for. */
export interface StepPlan extends StepStructure {
  readonly roles: readonly ExternalRole[];
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
