// A protocol-buffer wire-format reader for the tests: it turns bytes into a tree that can be compared
// field by field, so two serializers that order a map's entries differently still compare equal.

/** Which fields hold sub-messages, by field number, per message; every other length-delimited field is text. */
export interface Schema {
  readonly [field: number]: Schema | undefined;
}

/** Field number -> its values in wire order; a sub-message is a tree of its own. */
export interface ProtoTree {
  [field: number]: (number | string | ProtoTree)[];
}

function readVarint(bytes: Uint8Array, at: { pos: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[at.pos++];
    if (b === undefined) throw new Error('truncated varint');
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 0x80;
  }
}

export function decodeProto(bytes: Uint8Array, schema: Schema): ProtoTree {
  const tree: ProtoTree = {};
  const at = { pos: 0 };
  while (at.pos < bytes.length) {
    const key = readVarint(bytes, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: number | string | ProtoTree;
    if (wire === 0) {
      value = readVarint(bytes, at);
    } else if (wire === 2) {
      const length = readVarint(bytes, at);
      const payload = bytes.subarray(at.pos, at.pos + length);
      if (payload.length !== length) throw new Error(`field ${field}: truncated`);
      at.pos += length;
      const sub = schema[field];
      value = sub === undefined ? new TextDecoder('utf-8', { fatal: true }).decode(payload) : decodeProto(payload, sub);
    } else {
      throw new Error(`field ${field}: wire type ${wire} does not occur in a ServerDef`);
    }
    (tree[field] ??= []).push(value);
  }
  return tree;
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}
