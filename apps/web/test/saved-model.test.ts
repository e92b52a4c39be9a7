// End to end in headless Chromium: train on the page, save the model to IndexedDB, reload the page, load
// the saved model and see the same samples and reconstructions; and a URL naming an unknown backend is
// refused on the page. Saves screenshots/web-reload.png, the reloaded page (docs/images/web-reload.png is a copy).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/ensure-chromium.mjs';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const imagesDir = fileURLToPath(new URL('../screenshots/', import.meta.url));
const STEPS = 100;

interface PageReport {
  state: string;
  backend: { name: string } | null;
  step: number;
  error: string | null;
  savedAt: string | null;
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
  mkdirSync(imagesDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const pageReport = (page: Page): Promise<PageReport> => page.evaluate(() => (window as unknown as { vaekit: PageReport }).vaekit);

async function waitForState(page: Page, states: readonly string[], timeoutMs: number): Promise<PageReport> {
  await page.waitForFunction((wanted) => wanted.includes(document.body.dataset['state'] ?? ''), [...states], { timeout: timeoutMs, polling: 250 });
  return pageReport(page);
}

/** The pictures the page drew, as PNG data URLs: equal pictures from the same model, seeds and backend. */
const pictures = (page: Page): Promise<string[]> =>
  page.evaluate(() => ['samples', 'reconstructions'].map((id) => (document.getElementById(id) as HTMLCanvasElement).toDataURL()));

describe('the web app keeps a trained model in the browser', () => {
  it('saves the trained model to IndexedDB and, after a page refresh, loads it and draws the same samples and reconstructions', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${baseUrl}/?backend=wasm&steps=${STEPS}&autostart=1`);
      const trained = await waitForState(page, ['done', 'stopped', 'error'], 5 * 60_000);
      expect(trained.error).toBeNull();
      expect(trained.state).toBe('done');
      expect(await page.isEnabled('#load')).toBe(false);
      const before = await pictures(page);
      await page.click('#save');
      await page.waitForFunction(() => (window as unknown as { vaekit: PageReport }).vaekit.savedAt !== null, undefined, { timeout: 60_000 });
      await expect(page.textContent('#status')).resolves.toMatch(/saved to this browser \(IndexedDB\)/);

      // A fresh load of the page, without the parameters that started training.
      await page.goto(`${baseUrl}/`);
      await page.waitForFunction(() => !(document.getElementById('load') as HTMLButtonElement).disabled, undefined, { timeout: 60_000 });
      expect(await page.textContent('#status')).toMatch(/Load saved model \(saved in this browser/);
      await page.selectOption('#backend', 'wasm');
      await page.click('#load');
      const loaded = await waitForState(page, ['loaded', 'error'], 2 * 60_000);
      expect(loaded.error).toBeNull();
      expect(loaded.step).toBe(0);
      expect(await page.textContent('#status')).toMatch(/Loaded the model saved in this browser .* on wasm/);
      expect(await pictures(page)).toEqual(before);
      await page.screenshot({ path: `${imagesDir}web-reload.png`, fullPage: true });
      expect(errors, 'uncaught errors in the page').toEqual([]);
    } finally {
      await context.close();
    }
  }, 8 * 60_000);

  it('refuses an unknown backend in the URL on the page, naming the allowed ones, and starts nothing', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}/?backend=foo&autostart=1`);
      const report = await waitForState(page, ['error'], 60_000);
      expect(report.error).toBe("unknown backend 'foo' in the URL (?backend=foo): use one of auto, webgpu, webgl, wasm, cpu, e.g. ?backend=auto");
      expect(await page.textContent('#status')).toBe(`Error: ${report.error}`);
      expect(await page.isVisible('#status')).toBe(true);
      expect(report.backend).toBeNull();
      expect(report.step).toBe(0);
    } finally {
      await page.close();
    }
  }, 2 * 60_000);
});
