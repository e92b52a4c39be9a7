import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { NATIVE_EXTENSIONS_VERSION } from '@vaekit/backends';

import { NATIVE_PATCH_VERSION, applyNativePatch, nativePatchId, removeNativePatch } from '../native-patch/patch.mjs';

// The setup's patch step (native-patch/patch.mjs), on copies of this workspace's tfjs-node sources, and the
// whole setup run once more on the workspace itself, which must find nothing to do.

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const tfjsNodeDir = path.dirname(fs.realpathSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json')));

const TOUCHED = ['binding.gyp', 'binding/tfjs_backend.h', 'binding/tfjs_binding.cc'];
const ADDED = ['binding/vaekit_extensions.cc', 'binding/vaekit_extensions.h'];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-native-patch-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A copy of the installed tfjs-node's binding sources and binding.gyp, with the patch taken out again. */
function pristineCopy(): string {
  const dir = path.join(scratch, `copy-${copies++}`);
  fs.mkdirSync(path.join(dir, 'binding'), { recursive: true });
  fs.copyFileSync(path.join(tfjsNodeDir, 'binding.gyp'), path.join(dir, 'binding.gyp'));
  for (const name of fs.readdirSync(path.join(tfjsNodeDir, 'binding'))) {
    fs.copyFileSync(path.join(tfjsNodeDir, 'binding', name), path.join(dir, 'binding', name));
  }
  const removed = removeNativePatch(dir);
  if (!removed.ok) throw new Error(removed.reason);
  return dir;
}

/** Every file of a copy, by path. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else files[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('.');
  return files;
}

describe("the setup's patch step", () => {
  it('takes out cleanly: the copy is tfjs-node as published, with no marker and none of our files', () => {
    const files = snapshot(pristineCopy());
    for (const file of TOUCHED) expect(files[file], file).not.toContain('vaekit');
    for (const file of ADDED) expect(files[file], file).toBeUndefined();
  });

  it('is idempotent: a second application writes nothing, and removal gives back the original bytes', () => {
    const dir = pristineCopy();
    const original = snapshot(dir);
    const first = applyNativePatch(dir);
    expect(first).toEqual({ ok: true, changed: expect.arrayContaining([...TOUCHED, ...ADDED]) as unknown });
    const patched = snapshot(dir);
    expect(applyNativePatch(dir)).toEqual({ ok: true, changed: [] });
    expect(snapshot(dir)).toEqual(patched);
    expect(removeNativePatch(dir).ok).toBe(true);
    expect(snapshot(dir)).toEqual(original);
  });

  it("gives the same sources as the workspace's patched tfjs-node", () => {
    const dir = pristineCopy();
    applyNativePatch(dir);
    for (const file of [...TOUCHED, ...ADDED]) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).toBe(fs.readFileSync(path.join(tfjsNodeDir, file), 'utf8'));
    }
  });

  it("never writes through a hard link (pnpm's store): the linked originals keep their bytes", () => {
    const store = pristineCopy();
    const before = snapshot(store);
    const linked = path.join(scratch, 'linked');
    fs.mkdirSync(path.join(linked, 'binding'), { recursive: true });
    for (const file of Object.keys(before)) fs.linkSync(path.join(store, file), path.join(linked, file));
    expect(applyNativePatch(linked).ok).toBe(true);
    expect(snapshot(store)).toEqual(before);
    for (const file of TOUCHED) {
      expect(fs.statSync(path.join(linked, file)).ino, file).not.toBe(fs.statSync(path.join(store, file)).ino);
      expect(fs.readFileSync(path.join(linked, file), 'utf8')).toContain('vaekit-native-patch begin');
    }
  });

  it('writes nothing and says which line it missed when the sources are not the ones it knows', () => {
    const dir = pristineCopy();
    const source = path.join(dir, 'binding', 'tfjs_binding.cc');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('  return exports;\n', '  return exports;  // changed\n'));
    const before = snapshot(dir);
    const result = applyNativePatch(dir);
    expect(result).toEqual({ ok: false, reason: 'the line `return exports;` in binding/tfjs_binding.cc is not found' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('replaces an older revision of itself, and refuses sources whose markers do not pair up', () => {
    const dir = pristineCopy();
    applyNativePatch(dir);
    const header = path.join(dir, 'binding', 'tfjs_backend.h');
    const current = fs.readFileSync(header, 'utf8');
    fs.writeFileSync(header, current.replace('vaekit_context() const', 'older_context() const'));
    expect(applyNativePatch(dir)).toEqual({ ok: true, changed: ['binding/tfjs_backend.h'] });
    expect(fs.readFileSync(header, 'utf8')).toBe(current);

    fs.writeFileSync(header, current.replace(/^.*vaekit-native-patch end.*\n/m, ''));
    const unbalanced = applyNativePatch(dir);
    expect(unbalanced.ok).toBe(false);
    expect(unbalanced.ok ? '' : unbalanced.reason).toMatch(/binding\/tfjs_backend.h has a vaekit-native-patch block that never ends/);
  });

  it('carries one version number in the C++ source, the patch script and @vaekit/backends', () => {
    const source = fs.readFileSync(path.join(here, '..', 'native-patch', 'vaekit_extensions.cc'), 'utf8');
    expect(/constexpr int32_t kExtensionsVersion = (\d+);/.exec(source)?.[1]).toBe(String(NATIVE_PATCH_VERSION));
    expect(NATIVE_EXTENSIONS_VERSION).toBe(NATIVE_PATCH_VERSION);
    expect(nativePatchId()).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('the workspace setup, run again', () => {
  it('finds the patch applied and the patched addon built: no write, no build, compiled steps on', () => {
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'setup-native.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, VAEKIT_SKIP_NATIVE: '0' },
      timeout: 120_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toContain('no build needed');
    expect(output).toContain(`compiled steps: on (vaekit's binding extensions v${NATIVE_PATCH_VERSION})`);
    expect(output).not.toMatch(/applied vaekit's binding patch|building the tfjs-node addon/);
    const stamp = fs.readdirSync(path.join(tfjsNodeDir, 'lib'), { recursive: true }).find((f) => String(f).endsWith('.vaekit-build.json'));
    expect(stamp, 'the build stamp beside the addon').toBeDefined();
    const parsed = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'lib', String(stamp)), 'utf8')) as { patch: string; compiledSteps: boolean };
    expect(parsed).toMatchObject({ patch: nativePatchId(), compiledSteps: true });
  });
});
