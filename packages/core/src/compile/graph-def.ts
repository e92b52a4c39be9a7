import { ProtobufWriter } from './protobuf-writer.js';

/** TF_AttrType (tensorflow/c/tf_attrtype.h): how tfjs-node tags each op attribute it passes to TensorFlow. */
export const ATTR_STRING = 0;
export const ATTR_INT = 1;
export const ATTR_FLOAT = 2;
export const ATTR_BOOL = 3;
export const ATTR_TYPE = 4;
export const ATTR_SHAPE = 5;
export const ATTR_TENSOR = 6;

/** TF_DataType values used by the tracer (the same numbers as TensorFlow's DataType enum). */
export const DT_FLOAT = 1;
export const DT_INT32 = 3;
export const DT_BOOL = 10;

export type HostValues = Float32Array | Int32Array | Uint8Array;

/** A constant's value as it will be embedded in the graph. */
export interface ConstTensor {
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly values: HostValues;
}

/** One op attribute, in the shape tfjs-node hands to `binding.executeOp`, plus a tensor kind for constants. */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  /** "node" or "node:index" references to other nodes' outputs. */
  readonly inputs: readonly string[];
  readonly attrs: readonly OpAttr[];
}

/**
 * The GraphDef producer version written into the graph. TensorFlow uses it to decide which op
 * deprecations apply; a version from the TF 2.x line is what tf.function itself would write.
 */
export const GRAPH_DEF_PRODUCER = 1994;

function writeShape(w: ProtobufWriter, dims: readonly number[] | null): void {
  // TensorShapeProto: dim = 2 (Dim.size = 1), unknown_rank = 3.
  if (dims === null) {
    w.bool(3, true);
    return;
  }
  for (const d of dims) w.message(2, (dim) => dim.int(1, d));
}

function writeTensor(w: ProtobufWriter, tensor: ConstTensor): void {
  // TensorProto: dtype = 1, tensor_shape = 2, tensor_content = 4 (little-endian raw bytes).
  w.int(1, tensor.dtype);
  w.message(2, (shape) => writeShape(shape, tensor.shape));
  const { values } = tensor;
  w.bytes(4, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function asNumbers(value: unknown, attr: OpAttr): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' || typeof v === 'boolean')) {
    throw new TypeError(`attribute ${attr.name}: expected a list of numbers, got ${JSON.stringify(value)}`);
  }
  return value.map(Number);
}

function writeAttrValue(w: ProtobufWriter, attr: OpAttr): void {
  // AttrValue: list = 1, s = 2, i = 3, f = 4, b = 5, type = 6, shape = 7, tensor = 8.
  // ListValue: s = 2, i = 3, f = 4, b = 5, type = 6, shape = 7 (numeric lists packed).
  const { value } = attr;
  const isList = Array.isArray(value) && attr.type !== ATTR_SHAPE;
  switch (attr.type) {
    case ATTR_STRING:
      if (isList) w.message(1, (l) => (value as unknown[]).forEach((s) => l.string(2, String(s))));
      else w.string(2, String(value));
      return;
    case ATTR_INT:
      if (isList) w.message(1, (l) => l.packedVarints(3, asNumbers(value, attr)));
      else w.int(3, Number(value));
      return;
    case ATTR_FLOAT:
      if (isList) w.message(1, (l) => l.packedFloats(4, asNumbers(value, attr)));
      else w.float(4, Number(value));
      return;
    case ATTR_BOOL:
      if (isList) w.message(1, (l) => l.packedVarints(5, asNumbers(value, attr)));
      else w.bool(5, Boolean(value));
      return;
    case ATTR_TYPE:
      if (isList) w.message(1, (l) => l.packedVarints(6, asNumbers(value, attr)));
      else w.int(6, Number(value));
      return;
    case ATTR_SHAPE:
      w.message(7, (s) => writeShape(s, value == null ? null : asNumbers(value, attr)));
      return;
    case ATTR_TENSOR:
      w.message(8, (t) => writeTensor(t, value as ConstTensor));
      return;
    default:
      throw new TypeError(`attribute ${attr.name}: TF_AttrType ${attr.type} cannot be written into a graph`);
  }
}

/** Serializes nodes as a GraphDef (node = 1, versions = 4; NodeDef name = 1, op = 2, input = 3, attr = 5). */
export function encodeGraphDef(nodes: readonly GraphNode[]): Uint8Array {
  const graph = new ProtobufWriter();
  for (const node of nodes) {
    graph.message(1, (n) => {
      n.string(1, node.name);
      n.string(2, node.op);
      for (const input of node.inputs) n.string(3, input);
      for (const attr of node.attrs) {
        n.message(5, (entry) => {
          entry.string(1, attr.name);
          entry.message(2, (v) => writeAttrValue(v, attr));
        });
      }
    });
  }
  graph.message(4, (versions) => versions.int(1, GRAPH_DEF_PRODUCER));
  return graph.finish();
}

export function placeholderNode(name: string, dtype: number, shape: readonly number[]): GraphNode {
  return {
    name,
    op: 'Placeholder',
    inputs: [],
    attrs: [
      { name: 'dtype', type: ATTR_TYPE, value: dtype },
      { name: 'shape', type: ATTR_SHAPE, value: [...shape] },
    ],
  };
}

export function constNode(name: string, tensor: ConstTensor): GraphNode {
  return {
    name,
    op: 'Const',
    inputs: [],
    attrs: [
      { name: 'dtype', type: ATTR_TYPE, value: tensor.dtype },
      { name: 'value', type: ATTR_TENSOR, value: tensor },
    ],
  };
}

/**
 * A constant as graph nodes: a tensor whose elements are all equal becomes Fill(shape, scalar), so
 * tfjs's large all-ones gradient seeds do not put megabytes of literals into the function.
 */
export function constantNodes(name: string, tensor: ConstTensor): GraphNode[] {
  const { values } = tensor;
  const size = values.length;
  let uniform = size > 1;
  for (let i = 1; uniform && i < size; i++) if (!Object.is(values[i], values[0])) uniform = false;
  if (!uniform) return [constNode(name, tensor)];
  const scalar = constNode(`${name}/value`, { dtype: tensor.dtype, shape: [], values: values.slice(0, 1) });
  const dims = constNode(`${name}/dims`, { dtype: DT_INT32, shape: [tensor.shape.length], values: Int32Array.from(tensor.shape) });
  const fill: GraphNode = {
    name,
    op: 'Fill',
    inputs: [dims.name, scalar.name],
    attrs: [
      { name: 'T', type: ATTR_TYPE, value: tensor.dtype },
      { name: 'index_type', type: ATTR_TYPE, value: DT_INT32 },
    ],
  };
  return [scalar, dims, fill];
}
