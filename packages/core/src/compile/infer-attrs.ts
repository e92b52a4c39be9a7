import { ATTR_INT, ATTR_TYPE, type OpAttr } from './graph-def.js';
import type { StepPlan } from './step-plan.js';

/**
 * tfjs-node leaves out type attributes that TensorFlow's eager runtime infers from the inputs (ExpandDims'
 * T, for one); a graph needs them spelled out. TensorFlow's import error names the missing attribute and
 * the op's signature ("missing attr 'T' from Op<name=ExpandDims; signature=input:T, dim:Tdim -> ..."),
 * which says which input carries it. Returns the plan with that attribute added, or null when the error
 * is of another kind or the signature is not one this can read.
 */
export function planWithInferredAttr(plan: StepPlan, message: string, dtypeOfInput: (op: number, input: number) => number): StepPlan | null {
  const missing = /missing attr '([A-Za-z0-9_]+)' from Op<name=[^;]+; signature=([^>]*?) ->/.exec(message);
  const node = /\{\{node op(\d+)\}\}/.exec(message);
  if (!missing || !node) return null;
  const [, attrName, signature] = missing as unknown as [string, string, string];
  const opIndex = Number(node[1]);
  const op = plan.ops[opIndex];
  if (!op || op.attrs.some((a) => a.name === attrName)) return null;
  const args = signature.split(',').map((arg) => arg.trim().split(':')[1] ?? '');
  let attr: OpAttr | null = null;
  const variadic = args.filter((type) => type.includes('*') || type.startsWith('list('));
  if (variadic.length === 0) {
    const position = args.indexOf(attrName);
    if (position >= 0 && position < op.inputs.length) attr = { name: attrName, type: ATTR_TYPE, value: dtypeOfInput(opIndex, position) };
  } else if (variadic.length === 1 && variadic[0] === `${attrName}*${variadic[0]!.split('*')[1]}`) {
    attr = { name: attrName, type: ATTR_INT, value: op.inputs.length - (args.length - 1) };
  } else if (variadic.length === 1 && variadic[0]!.endsWith(`*${attrName}`) && args.indexOf(variadic[0]!) === 0) {
    attr = { name: attrName, type: ATTR_TYPE, value: dtypeOfInput(opIndex, 0) };
  }
  if (!attr) return null;
  const ops = plan.ops.map((o, k) => (k === opIndex ? { ...o, attrs: [...o.attrs, attr] } : o));
  return { ...plan, ops };
}
