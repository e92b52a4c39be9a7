// End to end: start the app's Vite dev server on 127.0.0.1, open the page in Debian's headless Chromium
// (playwright-core, no browser download), let it train a VAE on WebGL (and briefly on WASM), check that the
// loss fell and the images are drawn, and save screenshots under apps/web/screenshots/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/ensure-chromium.mjs';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const screenshotDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

// WebAssembly trains this model at ~27 steps/s here, SwiftShader's WebGL at ~2: the long run that must end in
// recognisable digits is on wasm; webgl trains long enough to show the loss falling. Both are configurable.
const WASM_STEPS = Number(process.env['VAEKIT_WEB_E2E_WASM_STEPS'] ?? 600);
const WEBGL_STEPS = Number(process.env['VAEKIT_WEB_E2E_WEBGL_STEPS'] ?? 40);

interface PageReport {
  state: string;
  backend: { name: string; runtime: string; threads: number; floatPrecision: number } | null;
  wasmThreads: string | null;
  step: number;
  losses: number[];
  stepsPerSecond: number;
  timings: Record<string, number>;
  error: string | null;
}

let server: ViteDevServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  server = await createServer({
    configFile: `${appDir}vite.config.ts`,
    root: appDir,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the Vite dev server did not report its port');
  baseUrl = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function trainInPage(page: Page, backend: string, steps: number, timeoutMs: number): Promise<PageReport> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`${baseUrl}/?backend=${backend}&steps=${steps}&autostart=1`);
  await page.waitForFunction(
    () => ['done', 'stopped', 'error'].includes(document.body.dataset['state'] ?? ''),
    undefined,
    { timeout: timeoutMs, polling: 500 },
  );
  const report = await page.evaluate(() => (window as unknown as { vaekit: PageReport }).vaekit);
  expect(errors, 'uncaught errors in the page').toEqual([]);
  expect(report.error).toBeNull();
  expect(report.state).toBe('done');
  return report;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Share of bright pixels on the samples canvas: digits, not an empty (all-black or all-white) grid. */
async function inkOnSamples(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.getElementById('samples') as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let bright = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) > 128) bright++;
    return bright / (data.length / 4);
  });
}

/** The samples canvas's pixels, as a string to compare. */
async function samplesPixels(page: Page): Promise<string> {
  return page.evaluate(() => (document.getElementById('samples') as HTMLCanvasElement).toDataURL());
}

/** Waits until the sampler select has fitted (or failed) and returns the page's sampler fields. */
async function chooseSampler(page: Page, name: string): Promise<{ sampler: string; samplerState: string }> {
  await page.selectOption('#sampler', name);
  await page.waitForFunction(
    (wanted) => {
      const report = (window as unknown as { vaekit: { sampler: string; samplerState: string } }).vaekit;
      return report.samplerState === 'error' || (report.sampler === wanted && report.samplerState === 'ready');
    },
    name,
    { timeout: 5 * 60_000, polling: 250 },
  );
  return page.evaluate(() => {
    const { sampler, samplerState } = (window as unknown as { vaekit: { sampler: string; samplerState: string } }).vaekit;
    return { sampler, samplerState };
  });
}

/**
 * After training, the sampler select offers the registered samplers that serve the page's model: the
 * Gaussian mixture fits in the page and redraws the samples, and 'prior' brings back the prior's pictures.
 */
async function switchSamplers(page: Page): Promise<void> {
  const offered = await page.$$eval('#sampler option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(offered).toEqual(expect.arrayContaining(['prior', 'gmm']));
  expect(offered).not.toContain('code-prior'); // a VQ-VAE's sampler: the page's model is a Gaussian VAE
  const priorPixels = await samplesPixels(page);
  const started = Date.now();
  expect(await chooseSampler(page, 'gmm')).toEqual({ sampler: 'gmm', samplerState: 'ready' });
  const gmmPixels = await samplesPixels(page);
  expect(gmmPixels).not.toBe(priorPixels);
  expect(await inkOnSamples(page)).toBeGreaterThan(0.05);
  console.log(`[web e2e] wasm: the gmm sampler fitted and redrew in ${((Date.now() - started) / 1000).toFixed(1)} s: ${await page.textContent('#sampler-status')}`);
  await page.screenshot({ path: `${screenshotDir}web-wasm-gmm.png`, fullPage: true });
  expect(await chooseSampler(page, 'prior')).toEqual({ sampler: 'prior', samplerState: 'ready' });
  expect(await samplesPixels(page)).toBe(priorPixels);
}

function summary(backend: string, report: PageReport, seconds: number, first: number, last: number): string {
  const phases = Object.entries(report.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  return (
    `[web e2e] ${backend}: ${report.step} steps, ${report.stepsPerSecond.toFixed(1)} steps/s in the page (${phases}; ` +
    `${seconds.toFixed(0)} s with page load), loss ${first.toFixed(1)} -> ${last.toFixed(1)} nats`
  );
}

describe('the web app trains a VAE in headless Chromium', () => {
  it(`trains ${WASM_STEPS} steps on WASM in a cross-origin-isolated page into recognisable digits`, async () => {
    const page = await browser.newPage();
    try {
      const started = Date.now();
      const report = await trainInPage(page, 'wasm', WASM_STEPS, 10 * 60_000);
      expect(report.backend?.name).toBe('wasm');
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      // Isolated, so tfjs runs its threaded binary; the pool size is whatever it chose for this machine.
      expect(report.backend?.runtime).toMatch(/^WebAssembly SIMD, threaded build, \d+ threads?$/);
      expect(report.wasmThreads).toMatch(/cross-origin isolated/);
      expect(report.losses).toHaveLength(WASM_STEPS);
      const first = mean(report.losses.slice(0, 10));
      const last = mean(report.losses.slice(-20));
      // An untrained Bernoulli decoder costs ~543 nats (784 ln 2); a few hundred steps reach the 100s-150s.
      expect(last).toBeLessThan(0.5 * first);
      expect(last).toBeLessThan(170);
      const ink = await inkOnSamples(page);
      expect(ink).toBeGreaterThan(0.05);
      expect(ink).toBeLessThan(0.5);
      await page.screenshot({ path: `${screenshotDir}web-wasm.png`, fullPage: true });
      console.log(`${summary('wasm', report, (Date.now() - started) / 1000, first, last)}; ${report.wasmThreads}; screenshot apps/web/screenshots/web-wasm.png`);
      await switchSamplers(page);
    } finally {
      await page.close();
    }
  }, 11 * 60_000);

  it(`trains ${WEBGL_STEPS} steps on WebGL (SwiftShader): the loss falls and the images are drawn`, async () => {
    const page = await browser.newPage();
    try {
      const started = Date.now();
      const report = await trainInPage(page, 'webgl', WEBGL_STEPS, 15 * 60_000);
      expect(report.backend?.name).toBe('webgl');
      expect(report.backend?.runtime).toMatch(/^WebGL 2/);
      expect(report.backend?.floatPrecision).toBe(32);
      expect(report.losses).toHaveLength(WEBGL_STEPS);
      const first = mean(report.losses.slice(0, 5));
      const last = mean(report.losses.slice(-5));
      expect(last).toBeLessThan(0.8 * first);
      const ink = await inkOnSamples(page);
      expect(ink).toBeGreaterThan(0.01);
      await page.screenshot({ path: `${screenshotDir}web-webgl.png`, fullPage: true });
      console.log(`${summary('webgl', report, (Date.now() - started) / 1000, first, last)}; screenshot apps/web/screenshots/web-webgl.png`);
    } finally {
      await page.close();
    }
  }, 16 * 60_000);
});
