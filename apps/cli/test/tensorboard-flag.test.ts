import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWithTensorBoard, tensorBoardMissing } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, expectUserError, jsonLines, TINY } from './helpers/cli.js';

let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-tensorboard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const missing = tensorBoardMissing();
// CI installs TensorBoard (.ci/run), so there its absence is a failure, never a skip.
if (missing && process.env.CI === 'true') throw new Error(`the vaekit train --tensorboard test cannot run: ${missing}`);

describe('vaekit train --tensorboard', () => {
  it('is documented in --help and refuses an empty folder', async () => {
    const help = await cli(['train', '--help']);
    expect(help.stdout).toMatch(/--tensorboard DIR\s+also write TensorBoard event files into DIR/);
    expect(help.stdout).toContain('tensorboard --logdir DIR --host 127.0.0.1');
    expectUserError(await cli(['train', ...TINY, '--tensorboard', '', '--out', join(dir, 'empty')]), /--tensorboard needs a folder/, 2);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    expectUserError(await cli(['train', ...TINY, '--tensorboard', file, '--out', join(dir, 'file')]), /--tensorboard .*a-file is a file; give a folder/, 2);
    expect(existsSync(join(dir, 'empty'))).toBe(false);
    expect(existsSync(join(dir, 'file'))).toBe(false);
  });

  it.skipIf(missing !== null)(`writes events TensorBoard reads back, agreeing with metrics.jsonl${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const out = join(dir, 'run');
    const logdir = join(dir, 'tb');
    const run = await cli(['train', ...TINY, '--epochs', '2', '--out', out, '--tensorboard', logdir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`view them with: tensorboard --logdir ${logdir} --host 127.0.0.1`);
    expect(readdirSync(logdir).filter((name) => name.includes('tfevents'))).toHaveLength(1);

    const read = readWithTensorBoard(logdir);
    // 256 examples in batches of 128: 2 steps an epoch.
    expect(read.scalars['step/total']!.map(([step]) => step)).toEqual([1, 2, 3, 4]);
    const metrics = jsonLines(join(out, 'metrics.jsonl')) as { step: number; train: Record<string, number>; validation: Record<string, number> }[];
    expect(metrics.map((m) => m.step)).toEqual([2, 4]);
    for (const part of ['train', 'validation'] as const) {
      expect(read.scalars[`epoch/${part}/total`], part).toEqual(metrics.map((m) => [m.step, Math.fround(m[part].total!)]));
    }
    expect(read.histograms['latent/kl_per_dimension']!.map((h) => [h.step, h.num, h.bucketSum])).toEqual([
      [2, 4, 4],
      [4, 4, 4],
    ]);
    // 64 samples of 28x28, 8 a row with 1-pixel lines, enlarged twice to pass 400 pixels: as samples.png.
    const side = 2 * (8 * 28 + 7);
    expect(read.images.samples!.map(({ step, pngWidth, pngHeight }) => [step, pngWidth, pngHeight])).toEqual([
      [2, side, side],
      [4, side, side],
    ]);
  });
});
