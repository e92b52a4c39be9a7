/**
 * Build .npy bytes by hand (as numpy's writer lays them out), so the parser is tested against the
 * format itself rather than against our own writer.
 */
export function npyBytes(options: {
  descr: string;
  shape: number[];
  body: Uint8Array;
  fortranOrder?: boolean;
  version?: 1 | 2 | 3;
}): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = options.shape.length === 1 ? `(${options.shape[0]},)` : `(${options.shape.join(', ')})`;
  let dict = `{'descr': '${options.descr}', 'fortran_order': ${options.fortranOrder === true ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  // numpy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(padded - prefix - 1, ' ') + '\n';
  const header = new TextEncoder().encode(dict);
  const out = new Uint8Array(prefix + header.length + options.body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(options.body, prefix + header.length);
  return out;
}

/** Little- or big-endian bytes of `values` written with one DataView setter. */
export function bytesOf(
  values: number[],
  bytesPer: number,
  write: (view: DataView, offset: number, value: number, littleEndian: boolean) => void,
  littleEndian = true,
): Uint8Array {
  const out = new Uint8Array(values.length * bytesPer);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => write(view, i * bytesPer, v, littleEndian));
  return out;
}
