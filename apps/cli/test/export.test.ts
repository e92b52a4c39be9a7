import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { SeededRandom } from '@vaekit/core';
import { loadModel } from '@vaekit/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@vaekit/variants';
import { assertBuilt, cli as runCli, TINY, type CliOptions, type Run } from './helpers/cli.js';

let dir: string;
let run: string;
const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-export-'));
  run = join(dir, 'run');
  assertBuilt();
  const trained = await cli(['train', ...TINY, '--out', run]);
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Loads one exported part the way plain TensorFlow.js does, from its model.json and weights.bin. */
async function loadPlain(folder: string): Promise<tfl.LayersModel> {
  const modelJson = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const bytes = readFileSync(join(folder, manifest[0]!.paths[0]!));
    return [manifest[0]!.weights, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer];
  });
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

describe('vaekit export', () => {
  it('writes encoder/ and decoder/ that plain tfjs loads with the trained model outputs, and says how to load them', async () => {
    const out = join(dir, 'exported');
    const result = await cli(['export', '--run', run, '--out', out, '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/wrote .*encoder\/ \(model\.json, weights\.bin\): \[batch, 784\] -> \[batch, 4\], the posterior/);
    expect(result.stdout).toMatch(/wrote .*decoder\/ .*\[batch, 4\] -> \[batch, 784\], the Bernoulli mean: sigmoid/);
    expect(result.stdout).toContain(`tf.loadLayersModel('file://${out}/decoder/model.json')`);

    const model = await loadModel(join(run, 'model.vaekit'));
    const encoder = await loadPlain(join(out, 'encoder'));
    const decoder = await loadPlain(join(out, 'decoder'));
    const x = tf.tidy(() => new SeededRandom(1).uniform([3, 784]));
    const z = tf.tidy(() => new SeededRandom(2).normal([3, 4]));
    const pairs: [tf.Tensor, tf.Tensor][] = [
      [encoder.predict(x) as tf.Tensor, model.encode(x)],
      [decoder.predict(z) as tf.Tensor, model.decodeMean(z)],
    ];
    for (const [plain, vaekit] of pairs) {
      const want = vaekit.dataSync();
      plain.dataSync().forEach((value, i) => expect(Math.abs(value - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]!) + 1e-6));
    }
    tf.dispose([x, z, ...pairs.flat()]);
    [model, encoder, decoder].forEach((m) => m.dispose());

    const again = await cli(['export', '--model-file', join(run, 'model.vaekit'), '--out', out, '--backend', 'cpu']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds an export \(encoder, decoder\); add --force/);
    const forced = await cli(['export', '--model-file', join(run, 'model.vaekit'), '--out', out, '--force', '--encoder', 'mean-and-log-variance', '--backend', 'cpu']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/-> \[batch, 4\] and \[batch, 4\], two outputs/);
  });

  it('refuses a bad --decoder, a missing --out and an --out that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const bad = await cli(['export', '--run', run, '--out', join(dir, 'x'), '--decoder', 'logits']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--decoder/);
    const missing = await cli(['export', '--run', run]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out is required/);
    const onFile = await cli(['export', '--run', run, '--out', file]);
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toMatch(/is a file; give a folder/);
  });
});
