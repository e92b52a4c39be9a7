import { DataError } from './data-error.js';
import type { LoadedData } from './types.js';

/** The magic string every .npy file starts with: 0x93 then "NUMPY". */
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

type NpyReader = (view: DataView, offset: number, littleEndian: boolean) => number;

/** Element kinds we read, keyed by the type code after the byte-order character of `descr`. */
const NPY_TYPES: Record<string, { bytes: number; read: NpyReader }> = {
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  b1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  u2: { bytes: 2, read: (v, o, le) => v.getUint16(o, le) },
  i2: { bytes: 2, read: (v, o, le) => v.getInt16(o, le) },
  i4: { bytes: 4, read: (v, o, le) => v.getInt32(o, le) },
  u4: { bytes: 4, read: (v, o, le) => v.getUint32(o, le) },
  // numpy's default integer type; values beyond 2^53 lose precision, which float32 would anyway.
  i8: { bytes: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  f4: { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) },
  f8: { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) },
};

export interface NpyHeader {
  /** numpy's dtype string, e.g. '<f4' or '|u1'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset where the array data starts. */
  dataOffset: number;
}

/**
 * Parse a .npy file (format versions 1, 2 and 3) holding a C-order array of shape (examples, ...),
 * with dtype u1, i1, b1, u2, i2, i4, u4, i8, f4 or f8 in either byte order. The first axis is the example axis.
 * `source` names the file in error messages.
 */
export function parseNpy(bytes: Uint8Array, source = 'the .npy data'): LoadedData {
  const header = parseNpyHeader(bytes, source);
  const { descr, shape, dataOffset } = header;
  if (header.fortranOrder) {
    throw new DataError(
      `${source} is stored in Fortran (column-major) order, which is not supported; ` +
        `save it in C order, e.g. np.save(path, np.ascontiguousarray(array))`,
    );
  }
  const order = descr[0];
  const type = NPY_TYPES[descr.slice(1)];
  if ((order !== '<' && order !== '>' && order !== '|') || type === undefined) {
    throw new DataError(
      `${source} has dtype '${descr}', which is not supported; ` +
        `convert it, e.g. np.save(path, array.astype('<f4'))`,
    );
  }
  if (shape.length < 2) {
    throw new DataError(
      `${source} has shape (${shape.join(', ')}), but data needs an example axis first and at least one ` +
        `more, e.g. (examples, features); reshape it, e.g. array.reshape(len(array), -1)`,
    );
  }
  const total = shape.reduce((a, b) => a * b, 1);
  const needed = dataOffset + total * type.bytes;
  if (bytes.length < needed) {
    throw new DataError(
      `${source} is truncated: shape (${shape.join(', ')}) of '${descr}' needs ${needed} bytes, the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = order !== '>';
  const data = new Float32Array(total);
  for (let i = 0; i < total; i++) data[i] = type.read(view, dataOffset + i * type.bytes, littleEndian);
  const [count, ...exampleShape] = shape as [number, ...number[]];
  return { data, count, exampleShape };
}

/** Read the magic, version and the Python-dict header of a .npy file. */
export function parseNpyHeader(bytes: Uint8Array, source = 'the .npy data'): NpyHeader {
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${source} is not a .npy file (it does not start with \\x93NUMPY)`);
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${source} is truncated inside its header`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${source} uses .npy format version ${major}.${bytes[7]}, which is not supported (1, 2 and 3 are)`);
  }
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) throw new DataError(`${source} is truncated inside its header`);
  // Version 3 only widens the header's encoding from latin-1 to UTF-8; the keys we read are ASCII either way.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataOffset));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    // A structured dtype ('descr': [...]) lands here too: it has no single element type.
    throw new DataError(`${source} has a header this reader cannot parse (${text.trim()}); save a plain numeric array`);
  }
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => Number(part.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DataError(`${source} has an unreadable shape (${shapeText})`);
  }
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset };
}
