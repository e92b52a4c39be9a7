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

/** How one element of a supported dtype is stored. */
export interface NpyElementType {
  /** The type code after the byte-order character, e.g. 'u1' or 'f4'. */
  code: string;
  bytes: number;
  read: NpyReader;
}

/** Where a .npy file's examples are and how to read them, from its header alone. */
export interface NpyLayout {
  element: NpyElementType;
  littleEndian: boolean;
  /** Examples: the first axis. */
  count: number;
  /** Shape of one example: the other axes. */
  exampleShape: number[];
  /** Byte offset where the array data starts. */
  dataOffset: number;
  /** Bytes the file needs: the header plus every element. */
  byteLength: number;
}

/**
 * Check a parsed header describes data vaekit reads (C order, a supported dtype, an example axis and at
 * least one more) and say where its examples are. `source` names the file in error messages.
 */
export function npyLayout(header: NpyHeader, source = 'the .npy data'): NpyLayout {
  const { descr, shape, dataOffset } = header;
  if (header.fortranOrder) {
    throw new DataError(
      `${source} is stored in Fortran (column-major) order, which is not supported; ` +
        `save it in C order, e.g. np.save(path, np.ascontiguousarray(array))`,
    );
  }
  const order = descr[0];
  const code = descr.slice(1);
  const type = NPY_TYPES[code];
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
  const [count, ...exampleShape] = shape as [number, ...number[]];
  return {
    element: { code, ...type },
    littleEndian: order !== '>',
    count,
    exampleShape,
    dataOffset,
    byteLength: dataOffset + total * type.bytes,
  };
}

/** The DataError for a file shorter than its header says. */
export function npyTruncated(header: NpyHeader, layout: NpyLayout, actualBytes: number, source = 'the .npy data'): DataError {
  return new DataError(
    `${source} is truncated: shape (${header.shape.join(', ')}) of '${header.descr}' needs ${layout.byteLength} bytes, the file has ${actualBytes}`,
  );
}

/**
 * Parse a .npy file (format versions 1, 2 and 3) holding a C-order array of shape (examples, ...),
 * with dtype u1, i1, b1, u2, i2, i4, u4, i8, f4 or f8 in either byte order. The first axis is the example axis.
 * `source` names the file in error messages.
 */
export function parseNpy(bytes: Uint8Array, source = 'the .npy data'): LoadedData {
  const header = parseNpyHeader(bytes, source);
  const layout = npyLayout(header, source);
  if (bytes.length < layout.byteLength) throw npyTruncated(header, layout, bytes.length, source);
  const { element, littleEndian, dataOffset, count, exampleShape } = layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = (layout.byteLength - dataOffset) / element.bytes;
  const data = new Float32Array(total);
  for (let i = 0; i < total; i++) data[i] = element.read(view, dataOffset + i * element.bytes, littleEndian);
  return { data, count, exampleShape };
}

/**
 * Bytes a reader must have to parse the header of a .npy file that starts with `prefix` (at least
 * its first 12 bytes, or the whole file when shorter): the offset where its data starts.
 */
export function npyHeaderLength(prefix: Uint8Array, source = 'the .npy data'): number {
  if (prefix.length < 10 || NPY_MAGIC.some((b, i) => prefix[i] !== b)) {
    throw new DataError(`${source} is not a .npy file (it does not start with \\x93NUMPY)`);
  }
  const major = prefix[6] as number;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new DataError(`${source} is truncated inside its header`);
    return 12 + view.getUint32(8, true);
  }
  throw new DataError(`${source} uses .npy format version ${major}.${prefix[7]}, which is not supported (1, 2 and 3 are)`);
}

/** Read the magic, version and the Python-dict header of a .npy file. */
export function parseNpyHeader(bytes: Uint8Array, source = 'the .npy data'): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, source);
  const major = bytes[6] as number;
  const headerStart = major === 1 ? 10 : 12;
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
