// Runs the built CLI as a user does: a separate process, its exit code and its two output streams. Every
// process has a time limit (SIGKILL, and the caller fails), and every one still running when the suite
// ends is killed, so the suite never leaves work behind on a shared machine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckFailure } from './harness.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'apps', 'cli', 'dist', 'bin.js');

/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();

/** Kills (SIGKILL) every child this suite started that is still running. */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number, timedOut: boolean }} Run
 * @typedef {{
 *   child: import('node:child_process').ChildProcess,
 *   stderr: () => string,
 *   stdout: () => string,
 *   done: Promise<Run>,
 *   startedAt: number,
 * }} Started
 */

/**
 * Starts `vaekit ...args` in the background (CI=1: plain progress lines). `timeoutMs` bounds its life.
 * @param {readonly string[]} args
 * @param {{ timeoutMs?: number, onStderr?: (stderr: string) => void, env?: Record<string, string>, command?: readonly string[] }} [options]
 *   command: what to run instead of `node bin.js` (the args are appended), e.g. /usr/bin/time -v node bin.js
 * @returns {Started}
 */
export function startCli(args, options = {}) {
  const [file, ...prefix] = options.command ?? [process.execPath, BIN];
  const child = spawn(/** @type {string} */ (file), [...prefix, ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const startedAt = Date.now();
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout?.on('data', (chunk) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk) => {
    stderr += chunk.toString();
    options.onStderr?.(stderr);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  /** @type {Promise<Run>} */
  const done = new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt, timedOut });
    });
  });
  return { child, stderr: () => stderr, stdout: () => stdout, done, startedAt };
}

/**
 * Runs `vaekit ...args` to its end; a run over its time limit fails the case.
 * @param {readonly string[]} args
 * @param {{ timeoutMs?: number, env?: Record<string, string> }} [options]
 * @returns {Promise<Run>}
 */
export async function cli(args, options = {}) {
  const run = await startCli(args, options).done;
  if (run.timedOut) {
    throw new CheckFailure(`vaekit ${args.join(' ')} ran over its ${(options.timeoutMs ?? 120_000) / 1000} s limit and was killed; stderr: ${tail(run.stderr)}`);
  }
  return run;
}

/**
 * Resolves once `test(stderr)` holds; rejects when the run ends first or `timeoutMs` passes.
 * @param {Started} started
 * @param {(stderr: string) => boolean} test
 * @param {string} what
 * @param {number} timeoutMs
 */
export async function waitForStderr(started, test, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  started.done.then(() => (ended = true), () => (ended = true));
  while (!test(started.stderr())) {
    if (ended) throw new CheckFailure(`the run ended before ${what}: ${tail(started.stderr())}`);
    if (Date.now() > deadline) throw new CheckFailure(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${tail(started.stderr())}`);
    await sleep(10);
  }
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The last few hundred characters of a stream, on one line, for failure messages.
 * @param {string} text
 */
export function tail(text, chars = 600) {
  const t = text.trim();
  return (t.length > chars ? `...${t.slice(-chars)}` : t).replace(/\s*\n\s*/g, ' | ');
}

/**
 * The CLI's promise for an input it refuses: the exit code, exactly one `error: ` line matching `pattern`,
 * no stack trace and no "bug in vaekit". Throws a CheckFailure saying what differs.
 * @param {Run} run
 * @param {RegExp} pattern
 * @param {number} [code]
 */
export function expectOneLineError(run, pattern, code = 1) {
  const problems = [];
  if (run.code !== code) problems.push(`exit ${run.code}${run.signal ? ` (${run.signal})` : ''}, expected ${code}`);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error: '));
  if (errors.length !== 1) problems.push(`${errors.length} 'error:' lines, expected 1`);
  else if (!pattern.test(errors[0])) problems.push(`the error line does not match ${pattern}`);
  if (/\n\s+at /.test(run.stderr)) problems.push('a stack trace was printed');
  if (/bug in vaekit/.test(run.stderr)) problems.push('it says "a bug in vaekit"');
  if (problems.length > 0) throw new CheckFailure(`${problems.join('; ')}; stderr: ${tail(run.stderr)}`);
}

/** Whether the CLI has been built; the suite refuses to start otherwise. */
export function isBuilt() {
  return existsSync(BIN);
}

/**
 * The training step a progress line shows: `epoch 2/3  batch 5/16` is step 16 + 5 = 21. Null before the
 * first progress line. Lines come every tenth of an epoch, so this is the last step shown, not the last run.
 * @param {string} stderr
 */
export function lastStepShown(stderr) {
  let step = null;
  for (const m of stderr.matchAll(/^epoch (\d+)\/\d+ {2}batch (\d+)\/(\d+)/gm)) step = (Number(m[1]) - 1) * Number(m[3]) + Number(m[2]);
  return step;
}
