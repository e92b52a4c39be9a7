import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_VARIANTS } from '../src/index.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package, so the bundle's externals (tfjs) resolve from its node_modules when it runs.
const dir = mkdtempSync(join(packageRoot, 'node_modules', '.bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A bundler drops a module whose package says it has no side effects when nothing it exports is used:
 * `import '@vaekit/variants'` must survive that, so `sideEffects` has to name the modules that register.
 */
describe('a bundled app that imports @vaekit/variants for its registrations', () => {
  it('lists every built-in model', { timeout: 120_000 }, async () => {
    const built = ['core', 'variants'].map((name) => join(packageRoot, '..', name, 'dist', 'index.js'));
    for (const file of built) {
      expect(existsSync(file), `the bundle uses the built packages: pnpm turbo run build --filter=@vaekit/variants... first (${file})`).toBe(true);
    }
    const entry = join(dir, 'entry.mjs');
    writeFileSync(
      entry,
      "import { listModels } from '@vaekit/core';\nimport '@vaekit/variants';\nconsole.log(JSON.stringify(listModels().map((m) => m.className)));\n",
    );
    await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      ssr: { noExternal: ['@vaekit/core', '@vaekit/variants'] },
      build: {
        ssr: entry,
        outDir: join(dir, 'out'),
        emptyOutDir: true,
        minify: false,
        rollupOptions: { external: [/^@tensorflow\//], output: { entryFileNames: 'bundle.mjs' } },
      },
    });
    const printed = execFileSync(process.execPath, [join(dir, 'out', 'bundle.mjs')], { encoding: 'utf8' });
    const names = JSON.parse(printed.trim().split('\n').pop()!) as string[];
    expect(names.sort()).toEqual(BUILT_IN_VARIANTS.map((variant) => variant.entry.className).sort());
  });
});
