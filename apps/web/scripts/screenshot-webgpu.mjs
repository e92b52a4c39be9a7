#!/usr/bin/env node
// Trains the web app on WebGPU in Debian's headless Chromium and saves a screenshot of the page: starts the
// app's Vite dev server on 127.0.0.1 (a secure context, so the page has navigator.gpu), opens
// /?backend=webgpu&steps=N&autostart=1 and waits for the run to finish. Bounded: past --timeout-min it
// presses Stop, takes the screenshot of what there is, says so and exits with status 1.
//
//   pnpm --filter @vaekit/web screenshot:webgpu [--steps 300 --timeout-min 15 --out docs/images/web-webgpu.png]
//
// The workspace packages must be built first (the page imports their dist): pnpm turbo run build --filter=@vaekit/web^...
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/ensure-chromium.mjs';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = resolve(appDir, '..', '..');
const { values } = parseArgs({
  // `pnpm run <script> -- --flag` hands the script the `--` too.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    steps: { type: 'string', default: '300' },
    'timeout-min': { type: 'string', default: '15' },
    out: { type: 'string', default: 'docs/images/web-webgpu.png' },
  },
});
const steps = Number(values.steps);
const timeoutMs = 60_000 * Number(values['timeout-min']);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps is '${values.steps}', expected a whole number of at least 1`);
if (!(timeoutMs > 0)) throw new Error(`--timeout-min is '${values['timeout-min']}', expected a positive number of minutes`);
const out = resolve(repoDir, values.out);

const server = await createServer({
  configFile: `${appDir}vite.config.ts`,
  root: appDir,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 0, strictPort: false },
});
await server.listen();
const address = server.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('the Vite dev server did not report its port');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });

const readReport = (page) => page.evaluate(() => window.vaekit);
const finished = (state) => ['done', 'stopped', 'error'].includes(state);

let exitCode = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.setViewportSize({ width: 1100, height: 900 });
  const started = Date.now();
  await page.goto(`http://127.0.0.1:${address.port}/?backend=webgpu&steps=${steps}&autostart=1`);
  let report = await readReport(page);
  let lastLog = 0;
  while (!finished(report.state) && Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 2000));
    report = await readReport(page);
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      console.log(`[screenshot] ${((Date.now() - started) / 1000).toFixed(0)} s: ${report.state}, step ${report.step} of ${steps}, ${report.stepsPerSecond.toFixed(2)} steps/s`);
    }
  }
  if (!finished(report.state)) {
    console.log(`[screenshot] not finished after ${values['timeout-min']} min: stopping at step ${report.step}`);
    await page.click('#stop');
    await page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.body.dataset.state ?? ''), undefined, { timeout: 60_000 });
    report = await readReport(page);
    exitCode = 1;
  }
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    `[screenshot] ${report.state}: ${report.step} steps on ${report.backend?.runtime ?? 'no backend'} in ${seconds} s ` +
      `(${report.stepsPerSecond.toFixed(2)} steps/s while training; phases ${JSON.stringify(report.timings)}), ` +
      `loss ${mean(report.losses.slice(0, 10)).toFixed(1)} -> ${mean(report.losses.slice(-20)).toFixed(1)} nats; saved ${out}`,
  );
  if (report.error || errors.length > 0 || report.backend?.name !== 'webgpu') {
    console.error(`[screenshot] the page reported: ${report.error ?? errors[0] ?? `backend ${report.backend?.name}`}`);
    exitCode = 1;
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(exitCode);
