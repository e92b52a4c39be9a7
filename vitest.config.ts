import { availableParallelism } from 'node:os';

import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/ensure-chromium.mjs';
import { TFJS_OPTIMIZE_DEPS } from './scripts/browser-config.mjs';

// Tests under a `test/browser/` folder run in headless Chromium (Debian's, never a test tool's download);
// everything else runs in Node.
const BROWSER_TESTS = ['packages/*/test/browser/**/*.test.ts', 'apps/*/test/browser/**/*.test.ts'];
const WEB_APP_TESTS = 'apps/web/test/**/*.test.ts';

// Every workspace package exports its TypeScript sources under the `source` condition: tests import
// sibling packages from src, so an edit to core is seen by the variants tests without a rebuild. Vitest
// drops Vite's `module` condition for Node, as its defaults do.
const NODE_CONDITIONS = ['source', ...defaultServerConditions.filter((c) => c !== 'module')];
const BROWSER_CONDITIONS = ['source', ...defaultClientConditions];

// `pnpm test:unit` (VAEKIT_TEST_TIER=unit) narrows the node project to the tests that need no build, no
// native addon and no browser, so the inner loop takes seconds on a fresh clone.
const UNIT_TIER = process.env['VAEKIT_TEST_TIER'] === 'unit';
const UNIT_TESTS = [
  'packages/{core,data,variants}/test/**/*.test.ts',
  'packages/backends/test/load-optional.test.ts',
  'packages/distributed/test/{tf-config,server-def,fuse,start-worker,errors}.test.ts',
  'apps/bench/test/**/*.test.ts',
];
const NOT_UNIT = [
  // They run the built packages (dist) in a child process or a bundle, so they need `pnpm build` first.
  '**/*-memory.test.ts',
  'packages/variants/test/{bundle,expected-weights}.test.ts',
  // Over ten seconds each: all 60,000 MNIST digits, and a many-sample variance comparison.
  'packages/data/test/idx.test.ts',
  'packages/variants/test/estimators.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        ssr: { resolve: { conditions: NODE_CONDITIONS } },
        test: {
          name: 'node',
          environment: 'node',
          // The README snippets run the built packages, so they are not in the unit tier.
          include: UNIT_TIER
            ? UNIT_TESTS
            : ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/readme-snippets/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/test/browser/**', WEB_APP_TESTS, ...(UNIT_TIER ? NOT_UNIT : [])],
          // tfjs backends hold global engine state: one file per worker process keeps them apart.
          pool: 'forks',
          // Vitest keeps a core free for itself by default; the unit tier's transforms finish early, so it takes them all.
          ...(UNIT_TIER ? { maxWorkers: availableParallelism() } : {}),
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The web app's end-to-end test starts the app's Vite dev server in the worker, and Node itself then
        // imports the server config's packages: with the `source` condition (which Vitest hands Node from
        // `ssr.resolve.conditions`) it would find TypeScript it cannot load, so this project reads dist.
        test: {
          name: 'web',
          environment: 'node',
          include: [WEB_APP_TESTS],
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
          // vaekit in Node exports and saves a model and serves it on 127.0.0.1 for the export test.
          globalSetup: ['packages/variants/test/browser/export-served.setup.ts'],
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
