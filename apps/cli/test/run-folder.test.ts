import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, expectUserError, jsonLines, snapshot, start, waitFor } from './helpers/cli.js';

let dir: string;
/** 2 steps an epoch: 256 examples in batches of 128. */
const BASE = ['--limit', '256', '--hidden', '32', '--latent-dim', '4', '--backend', 'cpu'];
/** metrics.jsonl of an uninterrupted 3-epoch run: what every interrupted one must end with, byte for byte. */
let reference: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-run-folder-'));
  const out = join(dir, 'reference');
  const run = await cli(['train', ...BASE, '--epochs', '3', '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  reference = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('metrics.jsonl', () => {
  it('holds one line per epoch and nothing from the clock; timing.jsonl holds the times', () => {
    const lines = reference.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l['epoch'], l['step']])).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    for (const line of lines) expect(Object.keys(line)).toEqual(['epoch', 'step', 'train', 'validation', 'skippedSteps']);
    const timing = jsonLines(join(dir, 'reference', 'timing.jsonl'));
    expect(timing.map((t) => t['epoch'])).toEqual([1, 2, 3]);
    for (const t of timing) expect(Object.keys(t)).toEqual(['epoch', 'step', 'elapsedMs', 'finishedAt']);
  });

  it('a run resumed at an epoch end ends byte-equal to the uninterrupted one, even with lines the checkpoint never saw', async () => {
    const out = join(dir, 'resumed');
    const first = await cli(['train', ...BASE, '--epochs', '1', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    // As if a kill struck after epoch 2's line was written but before its checkpoint was: the line,
    // and a repeat of epoch 1's, must not survive the resume.
    const [epoch1] = readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n');
    appendFileSync(join(out, 'metrics.jsonl'), `${epoch1}\n{"epoch":2,"step":4,"train":{"total":1}}\n`);
    appendFileSync(join(out, 'timing.jsonl'), '{"epoch":2,"step":4,"elapsedMs":1,"finishedAt":"x"}\n');
    const resumed = await cli(['train', '--out', out, '--resume', '--epochs', '3', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(reference);
    expect(jsonLines(join(out, 'timing.jsonl')).map((t) => [t['epoch'], t['finishedAt'] === 'x'])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
  });

  it('a run killed (SIGKILL) mid-epoch and resumed ends byte-equal to the uninterrupted one', async () => {
    const out = join(dir, 'killed');
    const child = start(['train', ...BASE, '--epochs', '3', '--checkpoint-every', '1', '--out', out]);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      // Step 4's progress line comes after step 3's checkpoint: the newest checkpoint is mid-epoch 2
      // (step 3, or step 4 at the epoch's last batch if the kill lands after its write).
      await waitFor('epoch 2, step 2', () => /epoch 2\/3 {2}batch 2\/2/.test(stderr), 90_000);
    } finally {
      child.kill('SIGKILL');
      await closed;
    }
    expect(existsSync(join(out, 'checkpoint.vaekit'))).toBe(true);
    const resumed = await cli(['train', '--out', out, '--resume', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The killed owner's lock was taken over, not left to block the folder.
    expect(resumed.stderr).toMatch(/^note: removed a stale lock /m);
    expect(resumed.stderr).toMatch(/^resuming .* from step [34] \(epoch 2\)$/m);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(reference);
  });
});

describe('--resume of a run whose checkpoint already ends it', () => {
  it('completes what a kill after the final checkpoint left undone, byte-equal to the uninterrupted run', async () => {
    const out = join(dir, 'after-final-checkpoint');
    cpSync(join(dir, 'reference'), out, { recursive: true });
    // The kill struck after the last checkpoint: the last metrics line, the model and a picture are missing.
    writeFileSync(join(out, 'metrics.jsonl'), reference.split('\n').slice(0, 2).map((line) => `${line}\n`).join(''));
    rmSync(join(out, 'model.vaekit'));
    rmSync(join(out, 'samples.png'));
    for (let round = 0; round < 2; round++) {
      // Twice: completing a complete folder changes nothing and still succeeds.
      const run = await cli(['train', '--out', out, '--resume', '--backend', 'cpu']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^nothing left to train: the run completed 3 epoch\(s\), 6 steps; its files now match the checkpoint$/m);
      expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(reference);
      for (const file of ['model.vaekit', 'samples.png', 'reconstructions.png']) {
        expect(readFileSync(join(out, file)).equals(readFileSync(join(dir, 'reference', file))), file).toBe(true);
      }
    }
    expectUserError(
      await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']),
      /already completed 3 epoch\(s\); pass --epochs N with N > 3 to train further/,
      2,
    );
  });
});

describe('the run folder on the next start', () => {
  it('leftover temporary files of torn writes are removed; the user\'s own files are not', async () => {
    const out = join(dir, 'torn');
    const made = await cli(['train', ...BASE, '--epochs', '1', '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    // What a kill during an atomic write leaves: a big half-written checkpoint twin and a picture twin.
    writeFileSync(join(out, '.checkpoint.vaekit.0123456789ab.tmp'), Buffer.alloc(16 * 1024 * 1024, 1));
    writeFileSync(join(out, '.samples.png.4242.deadbeef.tmp'), 'half a png');
    writeFileSync(join(out, 'notes.tmp'), 'mine');
    const resumed = await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`note: removed 2 temporary file(s) left in ${out} by an interrupted write`);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual(['notes.tmp']);
  });

  it('a run that stopped before its first checkpoint is started over by a plain rerun, and --resume says so', async () => {
    const out = join(dir, 'unfinished');
    const made = await cli(['train', ...BASE, '--epochs', '1', '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    rmSync(join(out, 'checkpoint.vaekit'));
    writeFileSync(join(out, '.checkpoint.vaekit.0123456789ab.tmp'), 'torn');
    const before = snapshot(out);
    expectUserError(
      await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']),
      /holds a run that stopped before its first checkpoint, so there is nothing to resume: rerun without --resume to start it over/,
    );
    expect(snapshot(out)).toEqual(before);
    const rerun = await cli(['train', ...BASE, '--epochs', '1', '--out', out]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`note: ${out} holds a run that stopped before its first checkpoint; starting it over`);
    expect(jsonLines(join(out, 'metrics.jsonl'))).toHaveLength(1);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a resume the trainer refuses (the data file was replaced) leaves the folder as it was', async () => {
    const csv = join(dir, 'data.csv');
    const rows = (shift: number): string =>
      Array.from({ length: 40 }, (_, r) => Array.from({ length: 16 }, (_, c) => String((r + c + shift) % 2)).join(',')).join('\n');
    writeFileSync(csv, `${rows(0)}\n`);
    const out = join(dir, 'swapped');
    const args = ['--hidden', '8', '--latent-dim', '2', '--batch-size', '8', '--backend', 'cpu'];
    const made = await cli(['train', '--data', csv, '--epochs', '1', ...args, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    // Other rows of the same shape: only the checkpoint's fingerprint of the data tells.
    writeFileSync(csv, `${rows(1)}\n`);
    const before = snapshot(out);
    expectUserError(await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']), /cannot resume from .*checkpoint\.vaekit: it was written with .*data/);
    expect(snapshot(out)).toEqual(before);
  });

  it('a folder of someone else\'s files is refused unless --force, which keeps them', async () => {
    const out = join(dir, 'foreign');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.tex'), 'months of work');
    expectUserError(await cli(['train', ...BASE, '--epochs', '1', '--out', out]), /already holds files that are not a vaekit run \(thesis\.tex\)/, 2);
    expect(readdirSync(out)).toEqual(['thesis.tex']);
    const forced = await cli(['train', ...BASE, '--epochs', '1', '--force', '--out', out]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(out, 'thesis.tex'), 'utf8')).toBe('months of work');
  });
});
