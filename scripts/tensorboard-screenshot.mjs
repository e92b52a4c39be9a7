#!/usr/bin/env node
// Screenshots of TensorBoard reading a vaekit run: trains a short run with `vaekit train --tensorboard`,
// serves its event files with TensorBoard (from pip) on 127.0.0.1, and saves its scalars, histograms and
// images pages from Debian's headless Chromium. Bounded: the training and TensorBoard's start each have a
// time limit, and TensorBoard is stopped however the script ends.
//
//   node scripts/tensorboard-screenshot.mjs [--epochs 4 --limit 4096 --port 6006 --out-dir docs/images]
//
// Needs the built CLI (pnpm exec turbo run build --filter=@vaekit/cli...) and TensorBoard
// (python3 -m pip install tensorboard). Writes tensorboard.png (scalars), tensorboard-histograms.png and
// tensorboard-images.png into --out-dir.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './ensure-chromium.mjs';

const repoDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  // `pnpm run <script> -- --flag` hands the script the `--` too.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    epochs: { type: 'string', default: '4' },
    limit: { type: 'string', default: '4096' },
    port: { type: 'string', default: '6006' },
    backend: { type: 'string', default: 'auto' },
    'out-dir': { type: 'string', default: 'docs/images' },
    'train-timeout-min': { type: 'string', default: '10' },
  },
});
for (const name of ['epochs', 'limit', 'port', 'train-timeout-min']) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} is '${values[name]}', expected a whole number of at least 1`);
}
const outDir = resolve(repoDir, values['out-dir']);
const bin = join(repoDir, 'apps', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) throw new Error(`build the CLI first (pnpm exec turbo run build --filter=@vaekit/cli...): ${bin} is missing`);
if (spawnSync('python3', ['-c', 'import tensorboard'], { timeout: 60_000 }).status !== 0) {
  throw new Error('TensorBoard is missing: python3 -m pip install tensorboard');
}

const work = mkdtempSync(join(tmpdir(), 'vaekit-tensorboard-shot-'));
const logdir = join(work, 'tensorboard');
let tensorboard = null;
let exitCode = 0;
try {
  console.log(`training ${values.epochs} epochs on ${values.limit} MNIST digits into ${logdir}`);
  const trained = spawnSync(
    process.execPath,
    [bin, 'train', '--epochs', values.epochs, '--limit', values.limit, '--batch-size', '64', '--latent-dim', '16',
      '--kl-warmup', '200', '--backend', values.backend, '--out', join(work, 'run'), '--tensorboard', logdir],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: '1' }, timeout: 60_000 * Number(values['train-timeout-min']) },
  );
  if (trained.status !== 0) throw new Error(`vaekit train failed (status ${trained.status}, signal ${trained.signal})`);

  tensorboard = spawn('python3', ['-m', 'tensorboard.main', '--logdir', logdir, '--host', '127.0.0.1', '--port', values.port], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tensorboardLog = '';
  tensorboard.stderr.on('data', (chunk) => (tensorboardLog += chunk.toString()));
  const base = `http://127.0.0.1:${values.port}`;
  await waitForServer(base, 60_000, () => tensorboardLog);

  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1200 });
    // The scalars page shows the per-step charts first: six of them fill one screen.
    const stepCharts = encodeURIComponent('^step/(total|reconstruction|kl|kl_weight|gradient_norm|learning_rate)$');
    for (const [dashboard, file] of [
      [`scalars&tagFilter=${stepCharts}`, 'tensorboard.png'],
      ['histograms', 'tensorboard-histograms.png'],
      ['images', 'tensorboard-images.png'],
    ]) {
      await page.goto(`${base}/#${dashboard}`, { waitUntil: 'networkidle', timeout: 60_000 });
      // Charts draw after their data arrives; give the last requests time to paint.
      await page.waitForTimeout(10_000);
      await page.screenshot({ path: join(outDir, file) });
      console.log(`saved ${join(outDir, file)}`);
    }
  } finally {
    await browser.close();
  }
} catch (error) {
  console.error(`error: ${error.message}`);
  exitCode = 1;
} finally {
  if (tensorboard && tensorboard.exitCode === null) tensorboard.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);

/** Polls TensorBoard's HTTP server until it answers; fails after `timeoutMs`. */
async function waitForServer(url, timeoutMs, log) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`TensorBoard did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}
