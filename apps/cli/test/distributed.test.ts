import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@vaekit/core/node';
import '@vaekit/variants';
import { useCpu } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, cli, expectUserError, jsonLines, type Run } from './helpers/cli.js';
import { inNamespace } from './helpers/namespace.js';

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

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

/** Every number of every metrics line, in order. */
function metricValues(out: string): number[] {
  const values: number[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'number') values.push(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  for (const line of jsonLines(join(out, 'metrics.jsonl'))) walk({ ...line, elapsedMs: undefined });
  return values;
}

async function weights(out: string): Promise<number[]> {
  const model = await loadModel(join(out, 'model.vaekit'));
  try {
    return model.variables().flatMap((v) => Array.from(v.variable.dataSync()));
  } finally {
    model.dispose();
  }
}

async function expectSameRun(out: string, reference: string): Promise<void> {
  const [a, b] = [metricValues(out), metricValues(reference)];
  expect(a.length).toBe(b.length);
  expect(Math.max(...a.map((v, i) => relativeDifference(v, b[i]!)))).toBeLessThan(TOLERANCE);
  const [wa, wb] = [await weights(out), await weights(reference)];
  expect(wa.length).toBe(wb.length);
  expect(Math.max(...wa.map((v, i) => relativeDifference(v, wb[i]!)))).toBeLessThan(TOLERANCE);
}

describe('vaekit launch and train --distributed', () => {
  let single: string;

  beforeAll(async () => {
    // The reference: one process, steps op by op as the workers run them, 2 epochs.
    single = join(dir, 'single');
    const run = await cli(['train', ...RUN, '--epochs', '2', '--backend', 'native', '--compile', 'off', '--out', single], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
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
    expect(run.stderr).toMatch(/^\[worker 1\] worker 1: done: 12 steps$/m);
    // Worker 1 wrote nothing: the run folder is the chief's, and the chief's files are the complete set.
    expect(run.stdout).not.toMatch(/^\[worker 1\] wrote:/m);
    await expectSameRun(out, single);
  }, 240_000);

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
    await expectSameRun(out, single);
  }, 300_000);
});
