#!/usr/bin/env node
// `pnpm test:conformance [--backend <name>] [vitest options]`: the conformance suite (packages/conformance/
// test), for one backend or all of them. A backend's files are those named `*-<backend>.test.ts`: in Node
// (cpu, wasm, native) and in headless Chromium under test/browser/ (wasm, webgl, webgpu). Native needs the
// native setup (`pnpm install` runs it); a browser backend needs Chromium, which this installs if missing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TESTS = 'packages/conformance/test';

/** The suite's test files, relative to the root, with the Vitest project each runs in. */
function suiteFiles() {
  const list = (dir, project) =>
    readdirSync(path.join(ROOT, dir))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => ({ file: `${dir}/${name}`, project }));
  return [...list(TESTS, 'node'), ...list(`${TESTS}/browser`, 'browser')];
}

// pnpm forwards a literal `--` when one is typed before the options.
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const at = args.indexOf('--backend');
const backend = at === -1 ? null : args[at + 1];
if (at !== -1) args.splice(at, 2);

const all = suiteFiles();
// A backend is one the suite itself runs on: it has a `conformance-<backend>.test.ts`.
const backends = [...new Set(all.map(({ file }) => /\/conformance-(\w+)\.test\.ts$/.exec(file)?.[1]).filter(Boolean))].sort();
if (backend !== null && !backends.includes(backend)) {
  console.error(`unknown backend '${backend ?? ''}'; the conformance suite runs on: ${backends.join(', ')}`);
  process.exit(2);
}
const selected = backend === null ? all : all.filter(({ file }) => file.endsWith(`-${backend}.test.ts`));

const run = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const projects = [...new Set(selected.map(({ project }) => project))];
if (projects.includes('browser')) run(process.execPath, ['scripts/ensure-chromium.mjs']);
const vitest = path.join(ROOT, 'node_modules', '.bin', 'vitest');
run(vitest, ['run', ...projects.flatMap((p) => ['--project', p]), ...selected.map(({ file }) => file), ...args]);
