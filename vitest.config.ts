import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/ensure-chromium.mjs';
import { TFJS_OPTIMIZE_DEPS } from './scripts/browser-config.mjs';

// Tests under a `test/browser/` folder run in headless Chromium (Debian's, never a test tool's download);
// everything else runs in Node.
const BROWSER_TESTS = ['packages/*/test/browser/**/*.test.ts', 'apps/*/test/browser/**/*.test.ts'];

// Every workspace package exports its TypeScript sources under the `source` condition: tests import
// sibling packages from src, so an edit to core is seen by the variants tests without a rebuild. Vitest
// drops Vite's `module` condition for Node, as its defaults do.
const NODE_CONDITIONS = ['source', ...defaultServerConditions.filter((c) => c !== 'module')];
const BROWSER_CONDITIONS = ['source', ...defaultClientConditions];

export default defineConfig({
  test: {
    projects: [
      {
        ssr: { resolve: { conditions: NODE_CONDITIONS } },
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
        resolve: { conditions: BROWSER_CONDITIONS },
        optimizeDeps: { include: [...TFJS_OPTIMIZE_DEPS.include], exclude: [...TFJS_OPTIMIZE_DEPS.exclude] },
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
