import { playwright } from '@vitest/browser-playwright';
import { configDefaults, defineConfig } from 'vitest/config';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/ensure-chromium.mjs';

// Tests under a `test/browser/` folder run in headless Chromium (Debian's, never a test tool's download);
// everything else runs in Node.
const BROWSER_TESTS = ['packages/*/test/browser/**/*.test.ts', 'apps/*/test/browser/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/test/browser/**'],
          // tfjs backends hold global engine state: one file per worker process keeps them apart.
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        // Pre-bundle every tfjs package up front: one copy of tfjs-core shared by all backends, and no
        // mid-run re-optimisation (which reloads the page) when a backend is first imported lazily.
        optimizeDeps: {
          include: [
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-layers',
            '@tensorflow/tfjs-backend-cpu',
            '@tensorflow/tfjs-backend-wasm',
            '@tensorflow/tfjs-backend-webgl',
          ],
          exclude: ['@tensorflow/tfjs-node'],
        },
        test: {
          name: 'browser',
          include: BROWSER_TESTS,
          // Hands tfjs-backend-wasm the URLs of its binaries, as any bundled page must.
          setupFiles: ['packages/backends/test/browser/setup-wasm.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // tfjs holds one engine per page; files run one after another, each in its own fresh page.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
