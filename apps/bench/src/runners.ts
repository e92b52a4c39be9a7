// Starting the measuring processes: Node children (one tfjs backend each) and the Python references.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { RESULT_PREFIX, type Task, type TaskResult } from './task.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PYTHON_DIR = join(HERE, '..', 'python');

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, onStderr?: (line: string) => void): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onStderr?.(line);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Lines a backend's own logging adds that say nothing about the benchmark. */
export const NOISE = /oneDNN|absl::InitializeLog|cpu_feature_guard|port\.cc|rebuild TensorFlow|^WARNING: All log messages|^\s*$/;

/** Runs one Task in a fresh Node process; `stockWasm` switches off vaekit's wasm matMul fix (the "before"). */
export async function runNodeTask(task: Task, options: { stockWasm?: boolean; timeoutMs: number; log: (line: string) => void }): Promise<TaskResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
  if (options.stockWasm) env['VAEKIT_WASM_STOCK_MATMUL'] = '1';
  else delete env['VAEKIT_WASM_STOCK_MATMUL'];
  const worker = join(HERE, 'node-worker.js');
  const out = await run(process.execPath, [worker, JSON.stringify(task)], env, options.timeoutMs, (line) => {
    if (!NOISE.test(line)) options.log(line);
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (out.code !== 0 || !line) {
    const why = out.stderr.split('\n').filter((l) => l && !NOISE.test(l)).slice(-3).join(' / ');
    throw new Error(`${task.backend} worker exited with ${out.code ?? 'a timeout'}: ${why || 'no result'}`);
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as TaskResult;
}

// ---------------------------------------------------------------------------------------------- Python

export const PYTHON_PINS = ['torch==2.13.0+cpu', 'tensorflow-cpu==2.21.0'] as const;

export interface PythonEnv {
  python: string;
  venv: string;
  torch: string;
  tensorflow: string;
}

export function venvDir(): string {
  return process.env['VAEKIT_BENCH_VENV'] ?? join(homedir(), '.cache', 'vaekit', 'bench-venv');
}

function probe(python: string): { torch: string; tensorflow: string } | null {
  if (!existsSync(python)) return null;
  const r = spawnSync(python, ['-c', 'import torch, tensorflow as tf; print(torch.__version__, tf.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 180_000,
  });
  if (r.status !== 0) return null;
  const [torch, tensorflow] = r.stdout.trim().split(/\s+/).slice(-2);
  return torch && tensorflow ? { torch, tensorflow } : null;
}

/**
 * The bench-only virtualenv with the two pinned wheels: reused when it already imports them, otherwise
 * created with `python3 -m venv` and filled by its own pip (the user's pip configuration applies).
 */
export function ensurePythonEnv(log: (line: string) => void): PythonEnv {
  const venv = venvDir();
  const python = join(venv, 'bin', 'python');
  const wanted = { torch: PYTHON_PINS[0].split('==')[1]!, tensorflow: PYTHON_PINS[1].split('==')[1]! };
  let found = probe(python);
  if (found && found.torch === wanted.torch && found.tensorflow === wanted.tensorflow) {
    return { python, venv, ...found };
  }
  const base = process.env['VAEKIT_BENCH_PYTHON'] ?? 'python3';
  log(`creating the bench virtualenv ${venv} (${PYTHON_PINS.join(', ')}; once, several minutes)`);
  mkdirSync(dirname(venv), { recursive: true });
  if (!existsSync(python)) {
    const made = spawnSync(base, ['-m', 'venv', venv], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error(`'${base} -m venv ${venv}' failed; install Python 3 with its venv module, or set VAEKIT_BENCH_PYTHON`);
  }
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', ...PYTHON_PINS], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 30 * 60_000,
  });
  if (pip.status !== 0) throw new Error(`pip install ${PYTHON_PINS.join(' ')} into ${venv} failed (exit ${pip.status})`);
  found = probe(python);
  if (!found) throw new Error(`the virtualenv ${venv} still cannot import torch and tensorflow after pip install`);
  return { python, venv, ...found };
}

export interface PythonResult {
  stepMs: number[];
  /** The first step's wall time (tf.function traces and compiles there), NaN if the script did not say. */
  firstStepMs: number;
  encodeMs: number[];
  info: { name: string; version: string; threads: number; maxRssBytes: number };
}

/** Runs a reference script; it prints `first 0 ms`, `step i ms`, `encode i ms` and a final `info {...}` line. */
export async function runPython(
  env: PythonEnv,
  script: string,
  args: string[],
  options: { timeoutMs: number; log: (line: string) => void },
): Promise<PythonResult> {
  const out = await run(env.python, [join(PYTHON_DIR, script), ...args], { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, options.timeoutMs, (line) => {
    if (!NOISE.test(line) && !/UserWarning|warnings\.warn/.test(line)) options.log(line);
  });
  const stepMs: number[] = [];
  const encodeMs: number[] = [];
  let firstStepMs = Number.NaN;
  let info: PythonResult['info'] | undefined;
  for (const line of out.stdout.split('\n')) {
    const [kind, , value] = line.trim().split(/\s+/);
    if (kind === 'step') stepMs.push(Number(value));
    else if (kind === 'first') firstStepMs = Number(value);
    else if (kind === 'encode') encodeMs.push(Number(value));
    else if (line.startsWith('info ')) info = JSON.parse(line.slice(5)) as PythonResult['info'];
  }
  if (out.code !== 0 || !info) {
    throw new Error(`${script} exited with ${out.code ?? 'a timeout'}: ${out.stderr.split('\n').filter(Boolean).slice(-2).join(' / ')}`);
  }
  return { stepMs, firstStepMs, encodeMs, info };
}
