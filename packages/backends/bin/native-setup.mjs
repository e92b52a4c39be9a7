// @ts-check
// Native backend setup for vaekit: builds @tensorflow/tfjs-node 4.22.0's addon from source against the
// TensorFlow C library that ships inside the `tensorflow-cpu` wheel, because tfjs-node's own install
// script downloads a prebuilt libtensorflow that TensorFlow stopped publishing after 2.18. The build
// carries vaekit's patch to tfjs-node's binding (../native-patch/, for compiled training steps); where the
// patch cannot be had, the addon is built without it and runs eagerly.
//
// The one copy of this logic: `npx vaekit-native-setup` (./vaekit-native-setup.mjs) runs it in a user's
// project, and the vaekit workspace's postinstall (scripts/setup-native.mjs) runs it on the repository.
// Plain JavaScript with Node built-ins only, because it runs before anything is built (and a published
// command must not need a compiler for itself); it also needs python3 (pip for the download, zipfile for
// the extraction), make and a C++ compiler.
//
// Environment:
//   VAEKIT_LIBTENSORFLOW_DIR  use this TensorFlow C library folder (lib/ + include/) instead of the wheel
//   VAEKIT_REQUIRE_NATIVE=1   an optional run (a postinstall) fails with exit 1 instead of explaining
//   VAEKIT_SKIP_NATIVE=1      an optional run does nothing (the wasm and cpu backends still work)
//   VAEKIT_CACHE_DIR          cache root (default: $XDG_CACHE_HOME/vaekit or ~/.cache/vaekit)
//
// Every step prints one line starting with `[vaekit setup]`; a build's full output goes to a log file.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { NATIVE_PATCH_VERSION, applyNativePatch, nativePatchId, removeNativePatch } from '../native-patch/patch.mjs';
import { addonPath, buildAddon, fileHash, linkDeps, probeAddon, readStamp, sourcesHash, whyRebuild, writeStamp } from './setup/addon.mjs';
import { cacheRoot, INSTALL_TFJS_NODE, log, PREFIX, SetupError, TFJS_NODE, TFJS_NODE_VERSION } from './setup/common.mjs';
import { stageUserLibrary, stageWheelLibrary } from './setup/tf-library.mjs';

export { INSTALL_TFJS_NODE, TF_VERSION, TFJS_NODE_VERSION } from './setup/common.mjs';

/** @param {string} dir @returns {string | undefined} the version in dir/package.json, if there is one */
function versionAt(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Every tfjs-node the project's install put on disk, by real path: the pnpm store (pnpm keeps one copy per
 * peer-dependency variant, and only one of them is linked at the top), the hoisted npm layout, and whatever
 * Node itself resolves from the project (which also walks up to parent folders' node_modules).
 * @param {string} root the project folder
 * @returns {{ matching: string[], others: { dir: string, version: string }[] }} 4.22.0 installs, and the rest
 */
function findTfjsNodeInstalls(root) {
  /** @type {Map<string, string>} real path -> version */
  const found = new Map();
  /** @param {string} dir */
  const add = (dir) => {
    const version = versionAt(dir);
    if (version !== undefined) found.set(fs.realpathSync(dir), version);
  };
  const store = path.join(root, 'node_modules', '.pnpm');
  if (fs.existsSync(store)) {
    for (const entry of fs.readdirSync(store)) {
      if (entry.startsWith('@tensorflow+tfjs-node@')) add(path.join(store, entry, 'node_modules', '@tensorflow', 'tfjs-node'));
    }
  }
  add(path.join(root, 'node_modules', '@tensorflow', 'tfjs-node'));
  try {
    // The file need not exist: createRequire only needs a path to resolve from.
    const manifest = createRequire(path.join(root, 'package.json')).resolve(`${TFJS_NODE}/package.json`);
    add(path.dirname(manifest));
  } catch {
    // Not resolvable from here: the two layouts above are all there is.
  }
  const matching = [];
  const others = [];
  for (const [dir, version] of found) {
    if (version === TFJS_NODE_VERSION) matching.push(dir);
    else others.push({ dir, version });
  }
  return { matching, others };
}

/**
 * What to tell a user whose project has no tfjs-node 4.22.0.
 * @param {string} root @param {{ dir: string, version: string }[]} others @param {string} rerun
 */
function missingTfjsNode(root, others, rerun) {
  const where = others.length === 0
    ? `@tensorflow/tfjs-node is not installed in ${root}`
    : `${others.map((o) => `@tensorflow/tfjs-node ${o.version} (${o.dir})`).join(', ')} is installed for ${root}, ` +
      `but this setup builds ${TFJS_NODE_VERSION}, the version @vaekit/backends works with`;
  // pnpm 10 runs no dependency's install script unless allowed, so a plain add is already script-free.
  const pnpm = fs.existsSync(path.join(root, 'pnpm-lock.yaml'))
    ? ` (with pnpm: \`pnpm add ${TFJS_NODE}@${TFJS_NODE_VERSION}\`)`
    : '';
  return new SetupError(
    `${where}, so there is no native addon to build.`,
    `Install it without its own install script, which would download a libtensorflow 2.9.1 this setup ` +
      `replaces: \`${INSTALL_TFJS_NODE}\`${pnpm}, then run \`${rerun}\` again.`,
  );
}

/**
 * One tfjs-node install: links its deps, applies vaekit's binding patch to its sources, and builds the addon
 * when it does not load or does not carry this patch. Prints one line saying whether compiled steps are on.
 * @param {string} dir @param {string} short how to name it in messages @param {string} deps @param {string} rerun
 */
function setUpInstall(dir, short, deps, rerun) {
  const relinked = linkDeps(dir, deps);
  log(`${relinked ? 'linked' : 'link ok:'} ${short}/deps -> ${deps}`);
  const patchId = nativePatchId();
  const patch = applyNativePatch(dir);
  if (patch.ok && patch.changed.length > 0) {
    log(`applied vaekit's binding patch (extensions v${NATIVE_PATCH_VERSION}) to ${short}: ${patch.changed.join(', ')}`);
  }
  /** @type {string | undefined} why compiled steps are off, when they are */
  let off = patch.ok ? undefined : `vaekit's binding patch does not apply to this tfjs-node (${patch.reason})`;

  const wanted = { patch: patchId, sources: sourcesHash(dir), deps };
  const addon = addonPath(dir);
  const before = probeAddon(addon);
  const why = !before.ok ? before.error : addon && patch.ok ? whyRebuild(addon, before, wanted) : null;
  let final = before;
  if (why === null) {
    log(`addon loads (TensorFlow ${before.ok ? before.version : '?'}); no build needed`);
    if (addon && patch.ok) off ??= readStamp(addon)?.reason;
  } else {
    log(`building the tfjs-node addon from source (about a minute; ${why})`);
    const t0 = Date.now();
    const logs = path.join(cacheRoot(), 'logs');
    let logFile;
    let patched = patch.ok;
    try {
      logFile = buildAddon(dir, logs, rerun);
    } catch (err) {
      // The patch may be what broke the build (another TensorFlow's headers, say): tfjs-node's own sources
      // must still give a working addon that runs eagerly.
      if (!patched || !(err instanceof SetupError) || !removeNativePatch(dir).ok) throw err;
      patched = false;
      off = `tfjs-node's binding did not compile with vaekit's patch: ${err.message.replace(/\.$/, '')}`;
      log(`the patched build failed; building tfjs-node's binding without vaekit's patch`);
      logFile = buildAddon(dir, logs, rerun);
      // Back to the sources the stamp names, so that the next run finds nothing to write or build.
      applyNativePatch(dir);
    }
    const builtAddon = addonPath(dir);
    const after = probeAddon(builtAddon);
    if (!after.ok || !builtAddon) {
      throw new SetupError(
        `the addon was built but does not load: ${after.ok ? 'node-pre-gyp cannot find it' : after.error} (build log: ${logFile}).`,
        'Check that the TensorFlow C library in the deps folder is complete and matches this machine, then ' +
          `run \`${rerun}\` again.`,
      );
    }
    if (patched && after.extensions !== NATIVE_PATCH_VERSION) {
      off = `the addon built with vaekit's patch reports extensions ${after.extensions ?? 'none'}, not v${NATIVE_PATCH_VERSION} (build log: ${logFile})`;
    }
    if (patch.ok) {
      const compiledSteps = off === undefined;
      writeStamp(builtAddon, { ...wanted, addon: fileHash(builtAddon), compiledSteps, ...(compiledSteps ? {} : { reason: off }) });
    }
    log(`addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s and loads (TensorFlow ${after.version})`);
    final = after;
  }
  if (final.ok && final.extensions === NATIVE_PATCH_VERSION) {
    log(`compiled steps: on (vaekit's binding extensions v${final.extensions})`);
  } else {
    off ??= final.ok && final.extensions !== null
      ? `the addon has vaekit's binding extensions v${final.extensions}, this setup makes v${NATIVE_PATCH_VERSION}`
      : "the addon was built without vaekit's binding patch";
    log(`compiled steps off: ${off}; the native backend runs eagerly`);
  }
}

/**
 * @typedef {object} NativeSetupOptions
 * @property {string} root the project whose node_modules hold tfjs-node
 * @property {boolean} optional a postinstall's run: VAEKIT_SKIP_NATIVE=1 skips it, and a failure explains
 *   and succeeds (exit code 0) unless VAEKIT_REQUIRE_NATIVE=1, so a missing compiler never fails an install
 * @property {string} rerun the command that runs this setup again, quoted in every hint
 */

/**
 * Makes `useBackend('native')` work in `root`: stages the TensorFlow C library, links every tfjs-node
 * 4.22.0 install's `deps` to it, builds the addon where it does not load, and checks that it loads.
 * Prints what it does and, on failure, one paragraph saying why and what to do.
 * @param {NativeSetupOptions} options
 * @returns {number} the process exit code: 0 when native is ready (or the optional run explained why not)
 */
export function setupNative({ root, optional, rerun }) {
  const startedAt = Date.now();
  const requireNative = process.env['VAEKIT_REQUIRE_NATIVE'] === '1';
  const strict = !optional || requireNative;
  try {
    if (optional && process.env['VAEKIT_SKIP_NATIVE'] === '1' && !requireNative) {
      log('native backend: skipped (VAEKIT_SKIP_NATIVE=1); the wasm and cpu backends are available.');
      return 0;
    }
    const { matching: installs, others } = findTfjsNodeInstalls(root);
    if (installs.length === 0) throw missingTfjsNode(root, others, rerun);
    log(`found ${installs.length} tfjs-node ${TFJS_NODE_VERSION} install(s)`);

    const userDir = process.env['VAEKIT_LIBTENSORFLOW_DIR'];
    const deps = userDir ? stageUserLibrary(userDir, rerun) : stageWheelLibrary(rerun);

    for (const dir of installs) setUpInstall(dir, path.relative(root, dir) || dir, deps, rerun);
    log(`native backend ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    return 0;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const todo = err instanceof SetupError ? err.todo : `Run \`${rerun}\` again to retry.`;
    const severity = !strict ? 'not available' : requireNative ? 'FAILED (VAEKIT_REQUIRE_NATIVE=1)' : 'FAILED';
    // A postinstall's explanation is ordinary output; a failed command's goes where errors go.
    (strict ? console.error : console.log)(
      `${PREFIX} native backend ${severity}: ${why} ${todo}` +
        (strict ? '' : ' The install itself succeeded: the wasm and cpu backends work without it.'),
    );
    return strict ? 1 : 0;
  }
}
