import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Registers the model classes loadModel looks up.
import '@vaekit/variants';
import { loadModel, saveModel } from '@vaekit/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../src/args.js';
import { assertBuilt, cli, expectUserError, TINY } from './helpers/cli.js';

let dir: string;
let model: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-bad-input-'));
  const made = await cli(['train', ...TINY, '--out', join(dir, 'run')]);
  expect(made.code, made.stderr).toBe(0);
  model = join(dir, 'run', 'model.vaekit');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('negative numbers as separate arguments', () => {
  it('parse joins them to their flag instead of calling them ambiguous', () => {
    const options = { epochs: { type: 'string' }, lr: { type: 'string' }, resume: { type: 'boolean' } } as const;
    expect(parse(['--epochs', '-1', '--lr', '-3e-4'], options).values).toEqual({ epochs: '-1', lr: '-3e-4' });
    expect(parse(['--lr', '-.5'], options).values).toEqual({ lr: '-.5' });
    expect(() => parse(['--epochs', '-x'], options)).toThrow("--epochs needs a value; to give one that starts with '-', write --epochs=VALUE");
    expect(() => parse(['--epochs'], options)).toThrow('--epochs needs a value (see --help)');
    expect(() => parse(['--resume=yes'], options)).toThrow('--resume takes no value (see --help)');
  });

  it('the CLI says what is wrong with the number, and writes nothing', async () => {
    const out = join(dir, 'never');
    expectUserError(await cli(['train', '--epochs', '-1', '--out', out]), /^error: --epochs must be a whole number >= 1, got -1$/, 2);
    expectUserError(await cli(['train', '--lr', '-3', '--out', out]), /^error: --lr must be a number > 0, got -3$/, 2);
    expectUserError(await cli(['train', '--seed', '-5', '--out', out]), /^error: --seed must be a whole number >= 0, got -5$/, 2);
    expectUserError(await cli(['eval', '--model-file', model, '--k', '-2']), /^error: --k must be a whole number >= 0, got -2$/, 2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a CSV whose first row has an empty field', () => {
  it('is data with a gap, reported by line and column, not a header silently dropped', async () => {
    const rows = Array.from({ length: 20 }, (_, r) => Array.from({ length: 16 }, (_, c) => (r === 0 && c === 3 ? '' : String((r + c) % 2))).join(','));
    const csv = join(dir, 'gap.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    expectUserError(await cli(['train', ...TINY, '--data', csv, '--out', join(dir, 'never')]), /gap\.csv line 1, column 4: '' is not a number/);
  });
});

describe('a model with NaN or infinite weights', () => {
  let broken: string;
  let counts: { nonFinite: number; total: number };

  beforeAll(async () => {
    // IS_TEST: no "install the node backend" banner in the test output.
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
    const loaded = await loadModel(model);
    try {
      const variables = loaded.variables();
      const first = variables[0]!.variable;
      first.assign(tf.tidy(() => tf.mul(tf.onesLike(first), Number.NaN)));
      counts = { nonFinite: first.size, total: variables.reduce((sum, v) => sum + v.variable.size, 0) };
      broken = join(dir, 'nan.vaekit');
      await saveModel(loaded, broken);
    } finally {
      loaded.dispose();
    }
  });

  const described = (): string =>
    `has ${counts.nonFinite.toLocaleString('en-US')} of ${counts.total.toLocaleString('en-US')} weights that are not finite \\(NaN or Inf\\)`;

  it('eval refuses with one line and exit 1 instead of printing NaNs', async () => {
    for (const json of [[], ['--json']]) {
      const run = await cli(['eval', '--model-file', broken, '--k', '2', '--limit', '16', '--backend', 'cpu', ...json]);
      expectUserError(run, new RegExp(`^error: .*nan\\.vaekit ${described()}, so every figure would be NaN: the run diverged; retrain`));
      expect(run.stdout).toBe('');
    }
  });

  it('sample and reconstruct warn in one line, and still write the picture', async () => {
    const out = join(dir, 'nan-samples.png');
    const sampled = await cli(['sample', '--model-file', broken, '--n', '8', '--out', out, '--backend', 'cpu']);
    expect(sampled.code, sampled.stderr).toBe(0);
    expect(sampled.stderr.match(/^warning: .*$/gm)).toEqual([expect.stringMatching(new RegExp(`^warning: .*nan\\.vaekit ${described()}; its output is not meaningful`))]);
    expect(existsSync(out)).toBe(true);
    const recon = await cli(['reconstruct', '--model-file', broken, '--n', '8', '--out', join(dir, 'nan-recon.png'), '--backend', 'cpu']);
    expect(recon.code, recon.stderr).toBe(0);
    expect(recon.stderr).toMatch(/^warning: .* weights that are not finite/m);
  });

  it('a healthy model gets no warning', async () => {
    const run = await cli(['sample', '--model-file', model, '--n', '8', '--out', join(dir, 'ok.png'), '--backend', 'cpu']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/warning/);
  });
});

describe('usage errors share one exit code', () => {
  it('an unknown model, an unknown backend and a --set field the model lacks all exit 2, writing nothing', async () => {
    const out = join(dir, 'never');
    expectUserError(await cli(['train', ...TINY, '--model', 'NoSuchVae', '--out', out]), /^error: unknown model 'NoSuchVae'\. Registered: /, 2);
    expectUserError(await cli(['train', ...TINY, '--backend', 'tpu', '--out', out]), /^error: unknown backend 'tpu': use one of auto, native, wasm, cpu$/, 2);
    expectUserError(await cli(['train', ...TINY, '--set', 'bogus=1', '--out', out]), /no config field 'bogus'/, 2);
    expectUserError(await cli(['sample', '--model-file', model, '--backend', 'tpu', '--out', join(dir, 'x.png')]), /^error: unknown backend 'tpu'/, 2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });

  it('vaekit --help documents the exit codes', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const code of ['1', '2', '3', '130', '143']) expect(help.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
  });
});
