// Just enough of TensorFlow's GraphDef protobuf to hand-write tiny graphs for the binding tests:
// GraphDef.node (field 1) of NodeDef { name = 1, op = 2, input = 3 (repeated), attr = 5 (map) }, with
// attributes of kind `type` (AttrValue field 6, a DataType enum).

const encoder = new TextEncoder();

/** TensorFlow's DataType enum values used here. */
export const DT_FLOAT = 1;
export const DT_INT32 = 3;

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function lengthDelimited(field: number, bytes: readonly number[]): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

function text(field: number, value: string): number[] {
  return lengthDelimited(field, [...encoder.encode(value)]);
}

function typeAttr(key: string, dtype: number): number[] {
  const attrValue = [...varint((6 << 3) | 0), ...varint(dtype)];
  return lengthDelimited(5, [...text(1, key), ...lengthDelimited(2, attrValue)]);
}

export interface NodeSpec {
  name: string;
  op: string;
  inputs?: string[];
  /** Attributes whose value is a DataType, e.g. `{ T: DT_FLOAT }`. */
  types?: Record<string, number>;
}

/** A serialized GraphDef holding these nodes, in order. */
export function graphDef(nodes: readonly NodeSpec[]): Uint8Array {
  const bytes = nodes.flatMap((node) =>
    lengthDelimited(1, [
      ...text(1, node.name),
      ...text(2, node.op),
      ...(node.inputs ?? []).flatMap((input) => text(3, input)),
      ...Object.entries(node.types ?? {}).flatMap(([key, dtype]) => typeAttr(key, dtype)),
    ]),
  );
  return new Uint8Array(bytes);
}

export function placeholder(name: string, dtype = DT_FLOAT): NodeSpec {
  return { name, op: 'Placeholder', types: { dtype } };
}
