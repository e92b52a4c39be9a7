#!/usr/bin/env node
// `pnpm test`'s last step: every Vitest project, in two processes at once. The Node project runs its files
// one at a time and leaves about a third of two cores idle (child processes, waits); the browser projects
// (headless Chromium, software WebGL and WebGPU, and the web app's end-to-end test) run their files one
// at a time as well, so the two halves fill each other's gaps. Each line is prefixed with its half. With
// arguments (`pnpm test -- apps/cli`), it is one plain `vitest run` with them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** The two halves: their Vitest projects (vitest.config.ts) and the prefix of their lines. */
const HALVES = [
  { name: 'node', prefix: 'node    | ', projects: ['node'] },
  { name: 'browser', prefix: 'browser | ', projects: ['browser', 'web'] },
];

/** Copies `from` to `to` a line at a time, each line prefixed, so the halves' lines never mix mid-line. */
function copyPrefixed(from, to, prefix) {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) to.write(`${prefix}${line}\n`);
  });
  return new Promise((resolve) => {
    from.on('end', () => {
      if (pending.length > 0) to.write(`${prefix}${pending}\n`);
      resolve();
    });
  });
}

const children = [];
// Ctrl-C reaches both halves from the terminal, and SIGTERM is passed on to them: this process stays to
// report how each ended.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Runs one half to its end; resolves to its exit code (1 for a signal) and how long it took. */
function runHalf({ prefix, projects }) {
  const started = Date.now();
  const args = [VITEST, 'run', ...projects.flatMap((project) => ['--project', project])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  children.push(child);
  const copied = Promise.all([copyPrefixed(child.stdout, process.stdout, prefix), copyPrefixed(child.stderr, process.stderr, prefix)]);
  const ended = new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`${prefix}could not start Vitest: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(signal !== null ? 1 : (code ?? 1)));
  });
  return Promise.all([ended, copied]).then(([code]) => ({ code, seconds: Math.round((Date.now() - started) / 1000) }));
}

const passed = process.argv.slice(2).filter((arg) => arg !== '--');
if (passed.length > 0) {
  const child = spawn(process.execPath, [VITEST, 'run', ...passed], { cwd: ROOT, stdio: 'inherit' });
  child.once('exit', (code, signal) => process.exit(signal !== null ? 1 : (code ?? 1)));
} else {
  const results = await Promise.all(HALVES.map(runHalf));
  process.stdout.write('\n');
  HALVES.forEach((half, i) => {
    const { code, seconds } = results[i];
    process.stdout.write(`${half.name} (${half.projects.join(', ')}): ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n`);
  });
  process.exit(results.some(({ code }) => code !== 0) ? 1 : 0);
}
