import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '@vaekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, SLOW, start, waitFor } from './helpers/cli.js';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-signals-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Watched {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<number | null>;
}

function watch(args: readonly string[]): Watched {
  const child = start(args);
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Bounded: a run that ignores its signals is killed and the test fails on its exit code.
  const done = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { child, stderr: () => stderr, done };
}

async function checkpointStep(out: string): Promise<number> {
  const path = join(out, 'checkpoint.vaekit');
  return (await decodeCheckpoint(new Uint8Array(readFileSync(path)), path)).state.step;
}

describe('stopping vaekit train', () => {
  it('SIGTERM stops at the next step, writes a checkpoint, says how to resume and exits 143; the run resumes', async () => {
    const out = join(dir, 'term');
    const run = watch(['train', ...SLOW, '--epochs', '2', '--out', out]);
    await waitFor('the first step', () => /batch 1\/4/.test(run.stderr()), 90_000);
    run.child.kill('SIGTERM');
    const code = await run.done;
    expect(code, run.stderr()).toBe(143);
    expect(run.stderr()).toMatch(/^SIGTERM: stopping at the next step and writing a checkpoint \(send it again to stop at once, without one\)$/m);
    const stopped = /^stopped at step (\d+); checkpoint \(step (\d+)\) saved to (.*); resume with: vaekit train --out (.*) --resume$/m.exec(run.stderr());
    expect(stopped, run.stderr()).not.toBeNull();
    expect(stopped![2]).toBe(stopped![1]);
    expect(stopped![3]).toBe(join(out, 'checkpoint.vaekit'));
    expect(stopped![4]).toBe(out);
    expect(await checkpointStep(out)).toBe(Number(stopped![2]));
    expect(existsSync(join(out, 'vaekit.lock'))).toBe(false);

    const resumed = await cli(['train', '--out', out, '--resume', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${out} from step ${stopped![2]}`);
  });

  it('SIGINT stops the same way and exits 130', async () => {
    const out = join(dir, 'int');
    const run = watch(['train', ...SLOW, '--epochs', '2', '--out', out]);
    await waitFor('the first step', () => /batch 1\/4/.test(run.stderr()), 90_000);
    run.child.kill('SIGINT');
    expect(await run.done, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/^interrupted \(Ctrl-C\): stopping at the next step and writing a checkpoint \(Ctrl-C again to stop at once, without one\)$/m);
    const stopped = /checkpoint \(step (\d+)\) saved to/.exec(run.stderr());
    expect(await checkpointStep(out)).toBe(Number(stopped![1]));
  });

  // Signals reach the run only between its synchronous kernels, so two sent one after the other are
  // handled together: the second always lands before the stop at the step boundary. They differ
  // (SIGTERM and SIGINT) because the kernel merges two pending signals of one kind; which of the two the
  // process sees first is up to the kernel and libuv, so either order is accepted.
  it('a second signal stops at once, exits 3 (not 130/143), and names the checkpoint that is kept', async () => {
    const out = join(dir, 'twice');
    const run = watch(['train', ...SLOW, '--epochs', '2', '--checkpoint-every', '1', '--out', out]);
    await waitFor('the step-1 checkpoint', () => /batch 1\/4/.test(run.stderr()) && existsSync(join(out, 'checkpoint.vaekit')), 90_000);
    const step = await checkpointStep(out);
    run.child.kill('SIGTERM');
    run.child.kill('SIGINT');
    expect(await run.done, run.stderr()).toBe(3);
    expect(run.stderr()).toMatch(/^(SIGTERM|interrupted \(Ctrl-C\)): stopping at the next step/m);
    const line = /^second (SIGTERM|interrupted \(Ctrl-C\)): stopping now without a checkpoint; (.*)$/m.exec(run.stderr());
    expect(line, run.stderr()).not.toBeNull();
    expect(run.stderr()).not.toMatch(/^stopped at step/m);
    const resume = `resume with: vaekit train --out ${out} --resume`;
    const kept = /^the last checkpoint \(step (\d+)\) is kept; (.*)$/.exec(line![2]!);
    if (kept) {
      // Between checkpoint writes: the one on disk is exactly the one named.
      expect(Number(kept[1])).toBeGreaterThanOrEqual(step);
      expect(kept[2]).toBe(resume);
      expect(await checkpointStep(out)).toBe(Number(kept[1]));
    } else {
      // During a checkpoint write (every step here): the message may not name a step it cannot vouch for.
      const cut = /^a checkpoint write was cut short; the last complete one \(step (\d+) or newer\) is kept; (.*)$/.exec(line![2]!);
      expect(cut, line![2]).not.toBeNull();
      expect(cut![2]).toBe(resume);
      expect(await checkpointStep(out)).toBeGreaterThanOrEqual(Number(cut![1]));
    }
    expect(existsSync(join(out, 'vaekit.lock'))).toBe(false);
  });

  it('a second signal before any checkpoint says none exists; a plain rerun then starts the run over', async () => {
    const out = join(dir, 'none-yet');
    const args = ['train', ...SLOW, '--epochs', '1', '--out', out];
    const run = watch(args);
    await waitFor('the first step', () => /batch 1\/4/.test(run.stderr()), 90_000);
    run.child.kill('SIGINT');
    run.child.kill('SIGTERM');
    expect(await run.done, run.stderr()).toBe(3);
    expect(run.stderr()).toMatch(/^(SIGTERM|interrupted \(Ctrl-C\)): stopping at the next step/m);
    expect(run.stderr()).toMatch(
      /^second (SIGTERM|interrupted \(Ctrl-C\)): stopping now without a checkpoint; none was written yet, so there is nothing to resume: rerun the same command to start over$/m,
    );
    expect(existsSync(join(out, 'checkpoint.vaekit'))).toBe(false);
    expect(existsSync(join(out, 'config.json'))).toBe(true);

    const rerun = await cli(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(new RegExp(`^note: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds a run that stopped before its first checkpoint; starting it over$`, 'm'));
  });
});
