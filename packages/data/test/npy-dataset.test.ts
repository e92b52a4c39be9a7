import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { iterateBatches, SeededRandom } from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageDataset, DataError, openNpyDataset, type Binarization } from '../src/node/index.js';
import { bytesOf, npyBytes } from './helpers/npy-bytes.js';

beforeAll(useCpu);
const dir = mkdtempSync(join(tmpdir(), 'vaekit-npy-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COUNT = 300;
const SHAPE = [4, 5];
const SIZE = 20;
const rng = new SeededRandom(3);
const pixels = Uint8Array.from({ length: COUNT * SIZE }, () => Math.floor(rng.nextFloat() * 256));
const floats = Float32Array.from({ length: COUNT * SIZE }, () => rng.nextFloat());
const u1Path = write('pixels.npy', npyBytes({ descr: '|u1', shape: [COUNT, ...SHAPE], body: pixels }));
const f4Path = write('floats.npy', npyBytes({ descr: '<f4', shape: [COUNT, SIZE], body: new Uint8Array(floats.buffer), version: 2 }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const take = (t: tf.Tensor): number[] => {
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
};

/** Batches that cover far-apart rows, neighbours, repeats and an unsorted order. */
const BATCHES = [[0], [299, 0, 150], [5, 6, 7, 8, 9], [42, 42, 41], Array.from({ length: 64 }, (_, i) => (i * 37) % COUNT)];

describe('openNpyDataset', () => {
  for (const binarization of ['dynamic', 'static', 'none'] as Binarization[]) {
    it(`gives exactly createImageDataset's batches (${binarization}), for uint8 intensities and float32 values`, async () => {
      const cases = [
        { path: u1Path, images: pixels, shape: SHAPE },
        { path: f4Path, images: floats, shape: [SIZE] },
      ];
      for (const { path, images, shape } of cases) {
        const streaming = await openNpyDataset(path, { binarization, seed: 9 });
        const inMemory = createImageDataset({ images, count: COUNT, exampleShape: shape, binarization, seed: 9 });
        expect([streaming.size, streaming.exampleShape, streaming.binary]).toEqual([COUNT, shape, binarization !== 'none']);
        for (const [b, indices] of BATCHES.entries()) {
          const got = await streaming.batch(indices, 100 + b);
          expect(got.shape).toEqual([indices.length, ...shape]);
          expect(take(got), `${path} batch ${b}`).toEqual(take(inMemory.batch(indices, 100 + b)));
        }
        await streaming.close();
      }
    });
  }

  it("reads uint8 as the numbers 0-255 with uint8: 'raw', and reshapes to exampleShape", async () => {
    const streaming = await openNpyDataset(u1Path, { uint8: 'raw', exampleShape: [SIZE] });
    expect(streaming.exampleShape).toEqual([SIZE]);
    const indices = [7, 3, 250];
    expect(take(await streaming.batch(indices, 0))).toEqual(indices.flatMap((i) => Array.from(pixels.subarray(i * SIZE, (i + 1) * SIZE))));
    await streaming.close();
    await expect(openNpyDataset(u1Path, { exampleShape: [3, 7] })).rejects.toThrow(/expected examples of shape \[3, 7\], got \[4, 5\] in pixels\.npy/);
  });

  it("yields, through core's iterateBatches, every example of the in-memory data set in training order", async () => {
    const streaming = await openNpyDataset(u1Path, { binarization: 'dynamic' });
    const inMemory = createImageDataset({ images: pixels, count: COUNT, exampleShape: SHAPE, binarization: 'dynamic' });
    const before = tf.memory().numTensors;
    let batches = 0;
    for await (const { x, indices, seed } of iterateBatches(streaming, { batchSize: 32, seed: 4, shuffle: true, epoch: 1 })) {
      expect(take(x)).toEqual(take(inMemory.batch(indices, seed)));
      batches++;
    }
    expect(batches).toBe(Math.ceil(COUNT / 32));
    expect(tf.memory().numTensors).toBe(before);
    await streaming.close();
  });

  it('refuses a file that is not .npy data vaekit reads, naming the file and what is wrong, before reading any row', async () => {
    const body = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const cases: [string, Uint8Array, RegExp][] = [
      ['text.npy', new TextEncoder().encode('hello, world'), /text\.npy is not a \.npy file/],
      ['fortran.npy', npyBytes({ descr: '|u1', shape: [2, 3], body, fortranOrder: true }), /Fortran/],
      ['complex.npy', npyBytes({ descr: '<c8', shape: [1, 6], body }), /dtype '<c8'/],
      ['flat.npy', npyBytes({ descr: '|u1', shape: [6], body }), /example axis/],
      ['empty.npy', npyBytes({ descr: '|u1', shape: [0, 3], body: new Uint8Array(0) }), /empty\.npy has no examples/],
      ['short.npy', npyBytes({ descr: '<f4', shape: [2, 3], body }), /short\.npy is truncated: .* needs \d+ bytes, the file has \d+/],
    ];
    const hugeHeader = npyBytes({ descr: '|u1', shape: [2, 3], body, version: 2 });
    new DataView(hugeHeader.buffer).setUint32(8, 0xfff0_0000, true);
    cases.push(['huge-header.npy', hugeHeader, /claims a \d+-byte header/]);
    for (const [name, bytes, message] of cases) {
      const error = await openNpyDataset(write(name, bytes)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(DataError);
      expect((error as Error).message, name).toMatch(message);
    }
    await expect(openNpyDataset(join(dir, 'missing.npy'))).rejects.toThrow(/cannot read .*missing\.npy/);
  });

  it('checks each batch as it reads it: a bad value rejects the batch with a DataError naming the example', async () => {
    const values = [0, 1, 0, 1, 0.5, 1, Number.NaN, 0, 2, 0, 1, 1];
    const path = write('mixed.npy', npyBytes({ descr: '<f4', shape: [6, 2], body: bytesOf(values, 4, (v, o, x, le) => v.setFloat32(o, x, le)) }));
    const before = tf.memory().numTensors;
    const plain = await openNpyDataset(path);
    expect(take(await plain.batch([0, 1], 0))).toEqual([0, 1, 0, 1]);
    await expect(plain.batch([1, 3], 0)).rejects.toThrow(/mixed\.npy has a non-finite value \(NaN\) in example 3 \(value 0\)/);
    await plain.close();

    const bernoulli = await openNpyDataset(path, { likelihood: 'bernoulli' });
    expect(bernoulli.binary).toBe(true);
    await expect(bernoulli.batch([0, 2], 0)).rejects.toThrow(/not 0 or 1 in example 2 \(value 0\) \(0\.5\)/);
    await bernoulli.close();

    const binarized = await openNpyDataset(path, { binarization: 'dynamic' });
    await expect(binarized.batch([4], 0)).rejects.toThrow(/has 2 in example 4 \(value 0\).*binarization dynamic needs intensities in \[0, 1\]/);
    await expect(binarized.batch([0, COUNT], 0)).rejects.toThrow(RangeError);
    await binarized.close();
    expect(tf.memory().numTensors).toBe(before);

    const raw = await openNpyDataset(u1Path, { uint8: 'raw', binarization: 'static' });
    await expect(raw.batch([0], 0)).rejects.toThrow(/divide them by 255 or open the file with uint8: 'intensity'/);
    await raw.close();
  });

  it('close() waits for reads in flight; a batch asked for after it rejects', async () => {
    const streaming = await openNpyDataset(f4Path);
    const pending = streaming.batch([1, 2, 3], 0);
    await streaming.close();
    expect(take(await pending)).toEqual(Array.from(floats.subarray(SIZE, 4 * SIZE)));
    await expect(streaming.batch([0], 0)).rejects.toThrow(/floats\.npy is closed/);
    await streaming.close();
  });

  it('refuses nonsense options by name', async () => {
    await expect(openNpyDataset(u1Path, { binarization: 'sometimes' as Binarization })).rejects.toThrow(/unknown binarization 'sometimes'/);
    await expect(openNpyDataset(u1Path, { uint8: 'bytes' as 'raw' })).rejects.toThrow(/uint8 must be 'intensity' or 'raw', got 'bytes'/);
    await expect(openNpyDataset(u1Path, { seed: Number.NaN })).rejects.toThrow(/seed must be a finite number/);
  });
});
