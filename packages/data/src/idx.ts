import { DataError } from './data-error.js';

/** The element types an IDX file can hold. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The element types the IDX format defines, keyed by the third byte of its magic number. */
const IDX_TYPES: Readonly<Record<number, { readonly name: IdxDtype; readonly bytes: number }>> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

export interface IdxArray {
  dtype: IdxDtype;
  /** Dimension sizes, outermost first, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements in row-major order, converted from the file's big-endian layout. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Parse an uncompressed IDX file (the format MNIST is published in): two zero bytes, a type byte,
 * a dimension count, then that many big-endian uint32 sizes and the data. Gzipped input must be
 * inflated first (the Node loader does that). `source` names the file in error messages.
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new DataError(`${source} is gzip-compressed; inflate it before parsing`);
  }
  if (bytes.length < 4) {
    throw new DataError(`${source} is truncated: ${bytes.length} bytes, too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const typeCode = bytes[2] as number;
  const type = IDX_TYPES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined) {
    const magic = view.getUint32(0, false).toString(16).padStart(8, '0');
    throw new DataError(`${source} is not an IDX file (magic number 0x${magic})`);
  }
  const rank = bytes[3] as number;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(
      `${source} is truncated: its header declares ${rank} dimensions but the file ends after ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count * type.bytes;
  if (bytes.length !== expectedBytes) {
    const what = bytes.length < expectedBytes ? 'truncated' : 'corrupt';
    throw new DataError(
      `${source} is ${what}: its header declares [${dims.join(', ')}] ${type.name} values ` +
        `(${expectedBytes} bytes in all) but the file has ${bytes.length} bytes`,
    );
  }
  return { dtype: type.name, dims, data: readBigEndian(view, headerBytes, count, type.name) };
}

function readBigEndian(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      // Single bytes have no byte order: copy, so the result does not pin the caller's file buffer.
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
