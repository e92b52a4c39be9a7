import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI, exercised as users run it: a separate process, exit codes and output streams included. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** Tiny settings: a run takes a second or two on the CPU backend. */
export const TINY = ['--limit', '256', '--epochs', '1', '--hidden', '32', '--latent-dim', '4', '--backend', 'cpu'];

/**
 * Steps of a second or more on the CPU backend (a 784-256-(4+4) MLP, batch 128, 4 steps an epoch):
 * slow enough that a test can send a signal while a step runs.
 */
export const SLOW = ['--limit', '512', '--batch-size', '128', '--hidden', '256', '--latent-dim', '4', '--backend', 'cpu'];

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Called with all stderr so far on every chunk; may signal the child. */
  onStderr?: (stderr: string, child: ChildProcess) => void;
  /** The child is killed (SIGKILL) after this long and the run fails the test. Default 90 s. */
  timeoutMs?: number;
  /** Run as this user (root only): how a test meets EACCES, which root itself never does. */
  uid?: number;
}

export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`build the CLI first (pnpm turbo run build --filter=@vaekit/cli...): ${BIN} is missing`);
}

/** Runs `vaekit ...args` to its end, never longer than `timeoutMs`. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = start(args, options.cwd, options.uid);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vaekit ${args.join(' ')} took longer than ${options.timeoutMs ?? 90_000} ms\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 90_000);
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts `vaekit ...args` in the background; the caller ends it. CI=1 and pipes give plain progress lines. */
export function start(args: readonly string[], cwd?: string, uid?: number): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A user error: the expected exit code, one `error:` line naming the problem, no stack trace. */
export function expectUserError(run: Run, pattern: RegExp, code = 1): void {
  expect(run.code, run.stderr).toBe(code);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error: '));
  expect(errors, run.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).not.toMatch(/bug in vaekit/);
}

export function jsonLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The folder's files with their bytes, to show that a refused command changed nothing. */
export function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) files[name] = readFileSync(join(folder, name)).toString('base64');
  return files;
}
