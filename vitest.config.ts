import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          // tfjs backends hold global engine state: one file per worker process keeps them apart.
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
