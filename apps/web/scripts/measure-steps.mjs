#!/usr/bin/env node
// Per-step time of the web app's model on each browser backend, and where the time goes, in Debian's
// headless Chromium: starts the app's Vite dev server on 127.0.0.1, and for each backend opens a fresh page
// that trains the page's own model (src/step-profile.ts) for a few timed steps, then a few more under
// tf.profile. One backend at a time, each bounded by a timeout.
//
//   node apps/web/scripts/measure-steps.mjs [--backends webgpu,webgl,wasm] [--steps 12] [--profile 3]
//                                           [--timeout-s 300] [--json out.json]
//   node apps/web/scripts/measure-steps.mjs --matmul [--programs -1,2,3] [--repeats 3]
//
// --matmul times tfjs-backend-webgpu's matMul programs (src/matmul-programs.ts) on the matMuls of the
// page's training step instead (batch 100, 784-256-16 encoder, 16-256-784 decoder, and their gradients).
//
// On webgpu, tf.profile's kernel times come from WebGPU timestamp queries, which Chromium offers only with
// --enable-dawn-features=allow_unsafe_apis; this script adds that flag (the app and its tests do not).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/ensure-chromium.mjs';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  // `pnpm run <script> -- --flag` hands the script the `--` too.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    backends: { type: 'string', default: 'webgpu,webgl,wasm' },
    steps: { type: 'string', default: '12' },
    profile: { type: 'string', default: '3' },
    'timeout-s': { type: 'string', default: '300' },
    json: { type: 'string' },
    matmul: { type: 'boolean', default: false },
    programs: { type: 'string', default: '-1,2,3' },
    repeats: { type: 'string', default: '3' },
  },
});
const backends = values.backends.split(',').filter(Boolean);
const steps = Number(values.steps);
const profiled = Number(values.profile);
const timeoutMs = 1000 * Number(values['timeout-s']);
for (const [name, value] of [['--steps', steps], ['--profile', profiled], ['--timeout-s', timeoutMs]]) {
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a whole number, got ${value}`);
    process.exit(2);
  }
}

const server = await createServer({
  configFile: `${appDir}vite.config.ts`,
  root: appDir,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 0, strictPort: false },
});
await server.listen();
const address = server.httpServer?.address();
const baseUrl = `http://127.0.0.1:${address.port}`;
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_ARGS, '--enable-dawn-features=allow_unsafe_apis'],
  headless: true,
});

/** The step's matMuls: forward, input gradients (B transposed) and weight gradients (A transposed). */
function stepMatMuls(batch, layers) {
  const cases = [];
  for (const [k, n] of layers) {
    cases.push({ label: `x[${batch},${k}] @ W[${k},${n}]`, m: batch, k, n, transposeA: false, transposeB: false });
    cases.push({ label: `dy[${batch},${n}] @ W[${k},${n}]^T`, m: batch, k: n, n: k, transposeA: false, transposeB: true });
    cases.push({ label: `x[${batch},${k}]^T @ dy[${batch},${n}]`, m: k, k: batch, n, transposeA: true, transposeB: false });
  }
  return cases;
}

async function measureMatMuls() {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeoutMs);
  try {
    await page.goto(`${baseUrl}/`);
    const programs = values.programs.split(',').map(Number);
    const cases = stepMatMuls(100, [[784, 256], [256, 32], [16, 256], [256, 784]]);
    const timings = await page.evaluate(
      async ([c, p, r]) => (await import('/src/matmul-programs.ts')).timeMatMulPrograms(c, p, r),
      [cases, programs, Number(values.repeats)],
    );
    console.log(`matMul programs on webgpu (tfjs's MatMulProgramType 1 split-K, 2 small-output, 3 packed; -1 = no choice made, so vaekit's routing: its blocked program on a software adapter), kernel ms / wall ms, median of ${values.repeats}:`);
    for (const t of timings) {
      console.log(`  ${t.label.padEnd(28)} ${t.programs.map((p) => `${p.program}: ${p.kernelMs.toFixed(1)} / ${p.wallMs.toFixed(1)}`).join('   ')}`);
    }
    return timings;
  } finally {
    await page.close();
  }
}

const results = [];
try {
  if (values.matmul) results.push(...(await measureMatMuls()));
  for (const backend of values.matmul ? [] : backends) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.setDefaultTimeout(timeoutMs);
    const started = Date.now();
    try {
      await page.goto(`${baseUrl}/`);
      const result = await Promise.race([
        page.evaluate(
          async ([b, s, p]) => {
            const module = await import('/src/step-profile.ts');
            return module.measureSteps(b, s, p);
          },
          [backend, steps, profiled],
        ),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)),
      ]);
      results.push(result);
      const ms = (v) => `${v.toFixed(0)} ms`;
      console.log(
        `${backend}: ${result.runtime}\n  first step ${ms(result.firstStepMs)}, median of ${result.stepMs.length} later steps ` +
          `${ms(result.medianStepMs)} (${result.stepMs.map((v) => v.toFixed(0)).join(' ')}); ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      );
      if (result.kernels.length > 0) {
        const total = result.kernels.reduce((a, k) => a + k.totalMs, 0);
        console.log(
          `  kernels over ${result.profiledSteps} profiled steps: ${result.kernelTimerWorks ? `${ms(total)} of kernel time` : 'no kernel timer on this backend'}`,
        );
        for (const k of result.kernels.slice(0, 12)) {
          console.log(
            `    ${k.name.padEnd(22)} ${String(k.calls).padStart(4)} calls ${ms(k.totalMs).padStart(9)} ` +
              `(${total > 0 ? ((100 * k.totalMs) / total).toFixed(1) : '0.0'}%), slowest ${k.slowestMs.toFixed(1)} ms on ${k.slowestShapes}`,
          );
        }
      }
    } catch (err) {
      console.log(`${backend}: failed: ${err instanceof Error ? err.message.split('\n')[0] : err}${errors.length ? ` (page: ${errors[0]})` : ''}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
