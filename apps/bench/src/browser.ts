// The Chromium half of the bench: a Vite dev server on 127.0.0.1 serves web/ (cross-origin isolated, so the
// wasm backend may use threads where the machine allows), and Playwright drives Debian's Chromium: one fresh
// page per task, so every backend starts from a clean tfjs engine.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Task, TaskResult } from './task.js';
import { ISOLATION_HEADERS, TFJS_OPTIMIZE_DEPS } from '../../../scripts/browser-config.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/ensure-chromium.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = join(HERE, '..', 'web');

export interface BrowserSession {
  version: string;
  run(task: Task, timeoutMs: number, log: (line: string) => void): Promise<TaskResult>;
  close(): Promise<void>;
}

export async function openBrowser(log: (line: string) => void): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install -y chromium) or set VAEKIT_CHROMIUM`);
  }
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright-core');
  const server = await createServer({
    root: WEB_ROOT,
    configFile: false,
    logLevel: 'error',
    clearScreen: false,
    server: {
      host: '127.0.0.1',
      port: 0,
      headers: { ...ISOLATION_HEADERS },
      fs: { allow: [join(HERE, '..', '..', '..')] },
    },
    optimizeDeps: { include: [...TFJS_OPTIMIZE_DEPS.include], exclude: [...TFJS_OPTIMIZE_DEPS.exclude] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the bench page server has no port');
  const url = `http://127.0.0.1:${address.port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
  const version = browser.version();
  log(`Chromium ${version}, bench page at ${url}`);
  return {
    version,
    async run(task, timeoutMs, taskLog) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      try {
        await page.goto(url);
        await page.waitForFunction(() => typeof window.vaekitBench === 'function', undefined, { timeout: 180_000 });
        const result = await page.evaluate((t) => window.vaekitBench!(t), task);
        const lines = await page.evaluate(() => window.vaekitLog ?? []);
        for (const line of lines) taskLog(`  [chromium ${task.backend}] ${line}`);
        return result;
      } catch (err) {
        throw new Error(`chromium ${task.backend}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}${errors.length ? ` (page: ${errors[0]})` : ''}`);
      } finally {
        await context.close();
      }
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

declare global {
  interface Window {
    vaekitBench?: (task: Task) => Promise<TaskResult>;
    vaekitLog?: string[];
  }
}
