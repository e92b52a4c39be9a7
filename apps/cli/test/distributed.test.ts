import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@vaekit/variants';
import { useCpu } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, cli, expectUserError, type Run } from './helpers/cli.js';
import { inNamespace } from './helpers/namespace.js';
import { expectSameRun } from './helpers/run-compare.js';

// vaekit launch and train --distributed, end to end. Every command that starts TensorFlow servers runs inside
// a private network namespace (helpers/namespace.ts), and FAILS where one cannot be made.

// Global batches of 48 (a multiple of 2 and 3 workers) over 288 examples: 6 steps an epoch.
const RUN = ['--limit', '288', '--batch-size', '48', '--hidden', '32', '--latent-dim', '4', '--seed', '3'];
// Float32 sums in another order (each worker's rows, then the all-reduce) over a dozen steps.
const TOLERANCE = 1e-5;

let dir: string;
beforeAll(async () => {
  assertBuilt();
  // Only to read the model files back.
  await useCpu();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-distributed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaekit launch and train --distributed', () => {
  let single: string;

  beforeAll(async () => {
    // The reference: one process on the same global batches, 2 epochs, each step one compiled function as
    // the workers' are (theirs with the all-reduce inside).
    single = join(dir, 'single');
    const run = await cli(['train', ...RUN, '--epochs', '2', '--backend', 'native', '--out', single], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/steps: compiled into one TensorFlow function/);
  }, 180_000);

  it('train --distributed without TF_CONFIG, or with a bad one, says what to set', async () => {
    expectUserError(await cli(['train', ...RUN, '--distributed', '--out', join(dir, 'none')]), /--distributed: TF_CONFIG is not set.*vaekit launch --workers 2/, 2);
    const bad = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'train', '--distributed', '--out', join(dir, 'bad')], { env: { ...process.env, TF_CONFIG: '{"cluster":{}}' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
    });
    expectUserError(bad, /--distributed: TF_CONFIG cluster lists no task/, 2);
  });

  it('launch --workers 2 ends with the metrics and weights of one process on the same global batch; only the chief writes', async () => {
    const out = join(dir, 'two');
    const run = await inNamespace(['launch', '--workers', '2', '--', 'train', ...RUN, '--epochs', '2', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\[worker 0\] done: 2 epoch\(s\), 12 steps$/m);
    expect(run.stdout + run.stderr).toMatch(/^\[worker 0\] steps: compiled into one TensorFlow function/m);
    expect(run.stdout + run.stderr).not.toMatch(/steps: op by op/);
    expect(run.stderr).toMatch(/^\[worker 1\] worker 1: done: 12 steps$/m);
    // Worker 1 wrote nothing: the run folder is the chief's, and the chief's files are the complete set.
    expect(run.stdout).not.toMatch(/^\[worker 1\] wrote:/m);
    await expectSameRun(out, single, TOLERANCE);
  }, 240_000);

  it('the defaults at full width: launch --workers 2 -- train --epochs 1 --limit 6000 equals one process', async () => {
    // 47 global batches of 128, the last one 112: every step's rows split evenly between the two workers.
    const args = ['train', '--epochs', '1', '--limit', '6000'];
    const reference = join(dir, 'full-single');
    const one = await cli([...args, '--backend', 'native', '--out', reference], { timeoutMs: 180_000 });
    expect(one.code, one.stderr).toBe(0);
    const out = join(dir, 'full-two');
    const two = await inNamespace(['launch', '--workers', '2', '--', ...args, '--out', out], { timeoutMs: 240_000 });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/^\[worker 0\] done: 1 epoch\(s\), 47 steps$/m);
    await expectSameRun(out, reference, TOLERANCE);
  }, 480_000);

  it('launch stops every worker and exits non-zero when a worker fails', async () => {
    const run = await inNamespace(['launch', '--workers', '2', '--', 'train', ...RUN, '--batch-size', '47', '--epochs', '1', '--out', join(dir, 'odd')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/batch size 47 is the global batch, split among 2 workers, and must be a multiple of 2/);
    expect(run.stderr).toMatch(/\[launch\] worker \d ended with \d+; stopping the others/);
  }, 180_000);

  it('SIGTERM to worker 1 stops both after the same step with a checkpoint; 3 workers resume it to the single run', async () => {
    const out = join(dir, 'stopped');
    let signalled = false;
    const stopped = await inNamespace(['launch', '--workers', '2', '--', 'train', ...RUN, '--epochs', '2', '--out', out], {
      onStderr: (stderr) => {
        const joined = /worker 1: joined 2 workers \(pid (\d+);/.exec(stderr);
        if (joined && !signalled) {
          signalled = true;
          process.kill(Number(joined[1]), 'SIGTERM');
        }
      },
    });
    expect(signalled).toBe(true);
    // Stopped with a checkpoint: 143 from every worker, so from launch too.
    expect(stopped.code, stopped.stderr).toBe(143);
    const steps = /^\[worker 1\] worker 1: stopped with the others after step (\d+)/m.exec(stopped.stderr);
    expect(steps, stopped.stderr).not.toBeNull();
    expect(stopped.stdout + stopped.stderr).toMatch(new RegExp(`\\[worker 0\\] .*step ${steps![1]}`));
    expect(Number(steps![1])).toBeLessThan(12);

    const resumed = await inNamespace(['launch', '--workers', '3', '--', 'train', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(new RegExp(`^\\[worker 0\\] resuming .* from step ${steps![1]} `, 'm'));
    await expectSameRun(out, single, TOLERANCE);
  }, 300_000);
});
