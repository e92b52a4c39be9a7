import { describe, expect, it } from 'vitest';
import { DataError, parseNpy } from '../src/index.js';
import { bytesOf, npyBytes } from './helpers/npy-bytes.js';

const values = [0, 1, 2, 3, 4, 5];

describe('parseNpy', () => {
  const cases = [
    { descr: '|u1', body: Uint8Array.from(values) },
    { descr: '<i4', body: bytesOf(values, 4, (v, o, x, le) => v.setInt32(o, x, le)) },
    { descr: '<f4', body: bytesOf(values, 4, (v, o, x, le) => v.setFloat32(o, x, le)) },
    { descr: '<f8', body: bytesOf(values, 8, (v, o, x, le) => v.setFloat64(o, x, le)) },
    { descr: '>f4', body: bytesOf(values, 4, (v, o, x, le) => v.setFloat32(o, x, le), false) },
    { descr: '<i8', body: bytesOf(values, 8, (v, o, x, le) => v.setBigInt64(o, BigInt(x), le)) },
  ];
  for (const { descr, body } of cases) {
    it(`reads ${descr}`, () => {
      const loaded = parseNpy(npyBytes({ descr, shape: [2, 3], body }));
      expect(loaded.count).toBe(2);
      expect(loaded.exampleShape).toEqual([3]);
      expect(loaded.data).toBeInstanceOf(Float32Array);
      expect(Array.from(loaded.data)).toEqual(values);
    });
  }

  it('keeps fractional and negative values', () => {
    const xs = [0.25, -1.5, 3.75, 1e-3];
    const loaded = parseNpy(npyBytes({ descr: '<f8', shape: [2, 2], body: bytesOf(xs, 8, (v, o, x, le) => v.setFloat64(o, x, le)) }));
    expect(Array.from(loaded.data)).toEqual(xs.map(Math.fround));
  });

  it('reads header versions 2 and 3 and image-shaped examples', () => {
    for (const version of [2, 3] as const) {
      const loaded = parseNpy(npyBytes({ descr: '|u1', shape: [1, 2, 3], body: Uint8Array.from(values), version }));
      expect(loaded.count).toBe(1);
      expect(loaded.exampleShape).toEqual([2, 3]);
      expect(Array.from(loaded.data)).toEqual(values);
    }
  });

  it('refuses Fortran order with a fix', () => {
    const bytes = npyBytes({ descr: '|u1', shape: [2, 3], body: Uint8Array.from(values), fortranOrder: true });
    expect(() => parseNpy(bytes, 'digits.npy')).toThrow(DataError);
    expect(() => parseNpy(bytes, 'digits.npy')).toThrow(/digits.npy is stored in Fortran.*np.ascontiguousarray/);
  });

  it('refuses unsupported dtypes, bad magic, truncation and 1-D arrays', () => {
    expect(() => parseNpy(npyBytes({ descr: '<c8', shape: [1, 1], body: new Uint8Array(8) }), 'z.npy')).toThrow(
      /z.npy has dtype '<c8'.*astype/,
    );
    expect(() => parseNpy(new TextEncoder().encode('not numpy at all'), 'z.npy')).toThrow(/not a .npy file/);
    const full = npyBytes({ descr: '<f4', shape: [2, 3], body: new Uint8Array(24) });
    expect(() => parseNpy(full.subarray(0, full.length - 4), 'z.npy')).toThrow(/z.npy is truncated/);
    expect(() => parseNpy(npyBytes({ descr: '|u1', shape: [6], body: Uint8Array.from(values) }), 'z.npy')).toThrow(
      /shape \(6\).*reshape/,
    );
  });
});
