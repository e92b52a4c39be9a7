import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/index.js';
import { encodePng, loadDataFile } from '../src/node/index.js';
import { bytesOf, npyBytes } from './helpers/npy-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-data-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadDataFile', () => {
  it('dispatches on .npy, .csv, a folder and a single .png', () => {
    const npy = join(dir, 'digits.npy');
    writeFileSync(npy, npyBytes({ descr: '<f4', shape: [2, 2, 2], body: bytesOf([0, 1, 1, 0, 1, 1, 0, 0], 4, (v, o, x, le) => v.setFloat32(o, x, le)) }));
    expect(loadDataFile(npy, { expectedShape: [4], likelihood: 'bernoulli' })).toMatchObject({ count: 2, exampleShape: [4] });

    const csv = join(dir, 'digits.csv');
    writeFileSync(csv, 'p0,p1\n0.1,0.9\n');
    expect(loadDataFile(csv, { likelihood: 'bernoulli', binarize: 'dynamic' })).toMatchObject({ count: 1, exampleShape: [2] });

    const folder = join(dir, 'pngs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.png'), encodePng(Uint8Array.from([0, 255, 255, 0]), 2, 2));
    const images = loadDataFile(folder);
    expect(images).toMatchObject({ count: 1, exampleShape: [2, 2, 1] });
    expect(Array.from(images.data)).toEqual([0, 1, 1, 0]);
    expect(loadDataFile(join(folder, 'a.png')).exampleShape).toEqual([2, 2, 1]);
  });

  it('loads a uint8 .npy as 8-bit pixels k/255 unless asked for the raw numbers', () => {
    const npy = join(dir, 'bytes.npy');
    writeFileSync(npy, npyBytes({ descr: '|u1', shape: [1, 3], body: Uint8Array.from([0, 51, 255]) }));
    const pixels = loadDataFile(npy, { likelihood: 'discretized-logistic' });
    expect(Array.from(pixels.data)).toEqual([0, 51 / 255, 1].map(Math.fround));
    expect(Array.from(loadDataFile(npy, { npy: { uint8: 'raw' } }).data)).toEqual([0, 51, 255]);
    expect(() => loadDataFile(npy, { npy: { uint8: 'bytes' as never } })).toThrow(/uint8 must be 'intensity' or 'raw'/);
  });

  it('runs the validator with the file name in its messages', () => {
    const npy = join(dir, 'wide.npy');
    writeFileSync(npy, npyBytes({ descr: '|u1', shape: [1, 28, 30], body: new Uint8Array(840) }));
    expect(() => loadDataFile(npy, { expectedShape: [784] })).toThrow('expected examples of shape [784], got [28, 30] in wide.npy');
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, '1,2\n3,NaN\n');
    expect(() => loadDataFile(csv)).toThrow(/bad.csv has a non-finite value \(NaN\) at index 3/);
    const pixels = join(dir, 'pixels.csv');
    writeFileSync(pixels, '0,128,255\n');
    expect(() => loadDataFile(pixels, { likelihood: 'bernoulli' })).toThrow(/pixels.csv has a value outside \[0, 1\].*divide them by 255/);
  });

  it('refuses unknown types and missing paths', () => {
    const other = join(dir, 'data.json');
    writeFileSync(other, '[]');
    expect(() => loadDataFile(other)).toThrow(/data.json: unsupported data file type/);
    expect(() => loadDataFile(join(dir, 'missing.npy'))).toThrow(DataError);
  });
});
