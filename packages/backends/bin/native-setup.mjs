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

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { NATIVE_PATCH_VERSION, applyNativePatch, nativePatchId, removeNativePatch } from '../native-patch/patch.mjs';

export const TF_VERSION = '2.21.0';
export const TFJS_NODE_VERSION = '4.22.0';
const TFJS_NODE = '@tensorflow/tfjs-node';
const WHEEL_NAME = 'tensorflow-cpu';
// The file name tfjs-node's own install script checks for before it would download anything.
const TFJS_EXPECTED_LIB = 'libtensorflow.so.2.9.1';
const PREFIX = '[vaekit setup]';
/** How a user adds tfjs-node without its install script (which would download libtensorflow 2.9.1). */
export const INSTALL_TFJS_NODE = `npm install --ignore-scripts ${TFJS_NODE}@${TFJS_NODE_VERSION}`;

/** @param {string} message */
function log(message) {
  console.log(`${PREFIX} ${message}`);
}

class SetupError extends Error {
  /**
   * @param {string} why what went wrong, in a user's words
   * @param {string} todo what the user can do about it
   */
  constructor(why, todo) {
    super(why);
    this.todo = todo;
  }
}

function cacheRoot() {
  if (process.env['VAEKIT_CACHE_DIR']) return path.resolve(process.env['VAEKIT_CACHE_DIR']);
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'vaekit');
}

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

/** @param {string} dir @param {string[]} names */
function hasAll(dir, names) {
  return names.every((n) => fs.existsSync(path.join(dir, n)));
}

const REQUIRED_HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'];

/**
 * A `deps` folder in the layout tfjs-node's binding.gyp expects: lib/libtensorflow.so,
 * lib/libtensorflow_framework.so (link-time names), the real sonames next to them (run-time names), and
 * include/ with the C API headers.
 * @param {string} libDir @param {string} libName the main library's real file name (its soname)
 */
function addLinkNames(libDir, libName) {
  const links = {
    'libtensorflow.so': libName,
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    [TFJS_EXPECTED_LIB]: libName,
  };
  for (const [link, target] of Object.entries(links)) {
    if (link === target) continue;
    const at = path.join(libDir, link);
    if (fs.existsSync(at) || isSymlink(at)) {
      if (isSymlink(at) && fs.readlinkSync(at) === target) continue;
      fs.rmSync(at, { force: true });
    }
    fs.symlinkSync(target, at);
  }
}

/** @param {string} p */
function isSymlink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * @param {string} cmd @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [opts]
 * @returns {import('node:child_process').SpawnSyncReturns<string>}
 */
function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts, encoding: 'utf8' });
}

function findPython() {
  for (const candidate of ['python3', 'python']) {
    const r = run(candidate, ['-c', 'import sys; print(sys.version_info[0])']);
    if (r.status === 0 && r.stdout.trim() === '3') return candidate;
  }
  return null;
}

/**
 * Deps from the user's own TensorFlow C library (VAEKIT_LIBTENSORFLOW_DIR), staged as links.
 * @param {string} userDir @param {string} rerun
 */
function stageUserLibrary(userDir, rerun) {
  const root = path.resolve(userDir);
  const libDir = [path.join(root, 'lib'), root].find((d) =>
    fs.existsSync(path.join(d, 'libtensorflow_framework.so.2')),
  );
  const includeDir = [path.join(root, 'include'), root].find((d) => hasAll(d, REQUIRED_HEADERS));
  if (!libDir || !includeDir) {
    throw new SetupError(
      `VAEKIT_LIBTENSORFLOW_DIR=${userDir} is not a TensorFlow C library folder: expected ` +
        `lib/libtensorflow_framework.so.2 with lib/libtensorflow.so.2 or lib/libtensorflow_cc.so.2, and ` +
        `include/${REQUIRED_HEADERS[0]}.`,
      'Point VAEKIT_LIBTENSORFLOW_DIR at the folder that holds lib/ and include/ (an unpacked ' +
        'libtensorflow archive, or the `tensorflow` folder of an unpacked tensorflow-cpu wheel), or unset ' +
        `it to let \`${rerun}\` fetch tensorflow-cpu with pip.`,
    );
  }
  const mainLib = ['libtensorflow.so.2', 'libtensorflow_cc.so.2'].find((n) =>
    fs.existsSync(path.join(libDir, n)),
  );
  if (!mainLib) {
    throw new SetupError(
      `${libDir} has libtensorflow_framework.so.2 but neither libtensorflow.so.2 nor libtensorflow_cc.so.2.`,
      'Point VAEKIT_LIBTENSORFLOW_DIR at a complete TensorFlow C library.',
    );
  }
  // Stage links in our cache rather than writing into the user's folder.
  const key = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const deps = path.join(cacheRoot(), 'libtensorflow', `custom-${key}`, 'deps');
  const stagedLib = path.join(deps, 'lib');
  fs.mkdirSync(stagedLib, { recursive: true });
  for (const name of fs.readdirSync(libDir)) {
    if (!name.startsWith('libtensorflow')) continue;
    const at = path.join(stagedLib, name);
    fs.rmSync(at, { force: true });
    fs.symlinkSync(path.join(libDir, name), at);
  }
  addLinkNames(stagedLib, mainLib);
  const stagedInclude = path.join(deps, 'include');
  fs.rmSync(stagedInclude, { force: true, recursive: true });
  fs.symlinkSync(includeDir, stagedInclude);
  log(`using your TensorFlow C library from VAEKIT_LIBTENSORFLOW_DIR (${libDir})`);
  return deps;
}

// Members of the wheel we keep: the two libraries and the headers the addon includes, transitively.
const EXTRACT_PY = `
import sys, zipfile, os, shutil
wheel, dest = sys.argv[1], sys.argv[2]
libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
header_dirs = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/xla/tsl/c/')
header_files = ('tensorflow/include/tensorflow/core/platform/ctstring', 'tensorflow/include/tsl/platform/ctstring')
count = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith('/'):
            continue
        if name in libs:
            out = os.path.join(dest, 'lib', os.path.basename(name))
        elif name.startswith(header_dirs) or name.startswith(header_files):
            out = os.path.join(dest, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        count += 1
print(count)
`;

/**
 * Deps from the tensorflow-cpu wheel: pip download (once), extract (once), cached outside any project so
 * every project on the machine shares one copy.
 * @param {string} rerun
 */
function stageWheelLibrary(rerun) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(
      `the TensorFlow C library is taken from the tensorflow-cpu wheel, which this setup supports only on ` +
        `Linux x64 (this is ${process.platform} ${process.arch}).`,
      'Build or download a TensorFlow C library for your platform and set VAEKIT_LIBTENSORFLOW_DIR to its ' +
        `folder, then run \`${rerun}\` again.`,
    );
  }
  const home = path.join(cacheRoot(), 'libtensorflow', TF_VERSION);
  const deps = path.join(home, 'deps');
  const marker = path.join(deps, '.complete');
  if (fs.existsSync(marker)) {
    log(`TensorFlow ${TF_VERSION} C library: cached in ${deps}`);
    return deps;
  }

  const python = findPython();
  if (!python) {
    throw new SetupError(
      'python3 was not found, and it is needed to fetch the tensorflow-cpu wheel that carries the TensorFlow ' +
        'C library (and by node-gyp to build the addon).',
      'Install Python 3 with pip, or set VAEKIT_LIBTENSORFLOW_DIR to a TensorFlow C library folder.',
    );
  }
  const wheelDir = path.join(home, 'wheel');
  fs.mkdirSync(wheelDir, { recursive: true });
  const findWheel = () =>
    fs.readdirSync(wheelDir).find((n) => n.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && n.endsWith('.whl'));
  let wheel = findWheel();
  if (wheel) {
    log(`${WHEEL_NAME}==${TF_VERSION} wheel: already downloaded`);
  } else {
    log(`${WHEEL_NAME}==${TF_VERSION} wheel: downloading with pip (about 274 MB, once) into ${wheelDir}`);
    const base = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', wheelDir];
    let r = run(python, [...base, `${WHEEL_NAME}==${TF_VERSION}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      // The C library inside does not depend on the Python version: when this interpreter has no matching
      // wheel (too new or too old), ask for a CPython one that exists.
      log(`pip found no wheel for this Python (or could not reach its index); retrying for CPython 3.11 wheels (the C library inside is the same)`);
      r = run(
        python,
        [...base, '--platform', 'manylinux_2_27_x86_64', '--python-version', '3.11', '--implementation', 'cp',
          '--abi', 'cp311', `${WHEEL_NAME}==${TF_VERSION}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    }
    wheel = findWheel();
    if (r.status !== 0 || !wheel) {
      const tail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
      throw new SetupError(
        `pip could not download ${WHEEL_NAME}==${TF_VERSION}, which carries the TensorFlow C library (${tail}).`,
        `Check that pip can reach its package index (proxy, offline mirror), then run \`${rerun}\` again; ` +
          'or set VAEKIT_LIBTENSORFLOW_DIR to a TensorFlow C library folder.',
      );
    }
  }

  log(`extracting libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers from ${wheel}`);
  // Extract next to the final place, then rename: an interrupted run never leaves a half-filled cache.
  const partial = path.join(home, `deps.partial-${process.pid}`);
  fs.rmSync(partial, { recursive: true, force: true });
  const r = run(python, ['-c', EXTRACT_PY, path.join(wheelDir, wheel), partial]);
  if (r.status !== 0 || !hasAll(path.join(partial, 'include'), REQUIRED_HEADERS)) {
    fs.rmSync(partial, { recursive: true, force: true });
    fs.rmSync(path.join(wheelDir, wheel), { force: true });
    throw new SetupError(
      `extracting the TensorFlow C library from ${wheel} failed (${(r.stderr || '').trim().split('\n').pop()}); ` +
        'the downloaded wheel was removed.',
      `Run \`${rerun}\` again to download it afresh.`,
    );
  }
  addLinkNames(path.join(partial, 'lib'), 'libtensorflow_cc.so.2');
  fs.writeFileSync(path.join(partial, '.complete'), `tensorflow-cpu ${TF_VERSION} from ${wheel}\n`);
  fs.rmSync(deps, { recursive: true, force: true });
  fs.renameSync(partial, deps);
  // The extracted libraries are all we need; the 274 MB wheel would only duplicate them.
  fs.rmSync(wheelDir, { recursive: true, force: true });
  log(`TensorFlow ${TF_VERSION} C library ready in ${deps}`);
  return deps;
}

/**
 * Point `<tfjs-node>/deps` at the staged library. pnpm can restore a built addon without this link.
 * @param {string} tfjsNodeDir @param {string} deps
 */
function linkDeps(tfjsNodeDir, deps) {
  const at = path.join(tfjsNodeDir, 'deps');
  if (isSymlink(at)) {
    if (fs.readlinkSync(at) === deps) return false;
    fs.rmSync(at);
  } else if (fs.existsSync(at)) {
    fs.rmSync(at, { recursive: true, force: true });
  }
  fs.symlinkSync(deps, at, 'dir');
  return true;
}

/**
 * The addon path node-pre-gyp (and so tfjs-node) will load, or null when it cannot say.
 * @param {string} tfjsNodeDir @returns {string | null}
 */
function addonPath(tfjsNodeDir) {
  const req = createRequire(path.join(tfjsNodeDir, 'package.json'));
  try {
    const preGyp = req('@mapbox/node-pre-gyp');
    return preGyp.find(path.join(tfjsNodeDir, 'package.json'));
  } catch {
    return null;
  }
}

/**
 * @typedef {{ ok: true, version: string, extensions: number | null } | { ok: false, error: string }} Probe
 *   extensions: the addon's `vaekitExtensions` (the binding patch's version), null when it has none
 */

/**
 * Loads the addon in a child process (a crash or a missing library must not take this setup down) and
 * returns the TensorFlow version it reports and the version of vaekit's extensions in it, or the loader's
 * error.
 * @param {string | null} file
 * @returns {Probe}
 */
function probeAddon(file) {
  if (!file || !fs.existsSync(file)) return { ok: false, error: 'the addon file does not exist' };
  const script =
    `const b = require(${JSON.stringify(file)}); process.stdout.write('\\n' + JSON.stringify({ version: String(b.TF_Version), ` +
    `extensions: typeof b.vaekitExtensions === 'number' ? b.vaekitExtensions : null }))`;
  const r = run(process.execPath, ['-e', script], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env['TF_CPP_MIN_LOG_LEVEL'] ?? '2' },
    timeout: 60_000,
  });
  if (r.status === 0 && r.stdout) {
    try {
      const { version, extensions } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
      return { ok: true, version, extensions };
    } catch {
      // Fall through: an addon that loads but does not answer is as good as one that does not load.
    }
  }
  const error = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n').find((l) => /error/i.test(l)) ?? 'unknown error';
  return { ok: false, error };
}

/**
 * @typedef {object} BuildStamp what vaekit built an addon from, kept next to it
 * @property {string} patch the binding patch's id (nativePatchId)
 * @property {string} sources the hash of the binding's sources it was built from (sourcesHash)
 * @property {string} deps the TensorFlow C library folder it was linked against
 * @property {string} addon the addon file's sha256, so a replaced addon is not mistaken for ours
 * @property {boolean} compiledSteps false: the patched binding did not compile here, and this is the
 *   unpatched fallback (not retried until the patch, the library or the addon changes)
 * @property {string} [reason] why compiledSteps is false
 */

/** @param {string} addon */
function stampPath(addon) {
  return `${addon}.vaekit-build.json`;
}

/** @param {string} file */
function fileHash(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The binding's sources as the compiler sees them (binding.gyp and binding/, patch included): a stamp that
 * records them notices any change to tfjs-node's own files, not only to ours.
 * @param {string} tfjsNodeDir
 */
function sourcesHash(tfjsNodeDir) {
  const hash = createHash('sha256');
  const files = ['binding.gyp', ...fs.readdirSync(path.join(tfjsNodeDir, 'binding')).sort().map((n) => path.join('binding', n))];
  for (const file of files) hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(tfjsNodeDir, file)));
  return hash.digest('hex');
}

/** @param {string} addon @returns {Partial<BuildStamp> | undefined} */
function readStamp(addon) {
  try {
    return JSON.parse(fs.readFileSync(stampPath(addon), 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {string} addon @param {BuildStamp} stamp */
function writeStamp(addon, stamp) {
  // A new file renamed into place, like every write into an installed package (see native-patch/patch.mjs).
  const temp = `${stampPath(addon)}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(stamp, null, 2)}\n`);
  fs.renameSync(temp, stampPath(addon));
}

/**
 * Why a loading addon must be rebuilt to carry the binding patch, or null when it already does (or is the
 * recorded unpatched fallback for this very patch, library and file). A stamp is needed besides the
 * addon's own `vaekitExtensions`: pnpm's side-effects cache or an earlier setup can leave an addon built
 * from an older patch of the same version, or from none.
 * @param {string} addon @param {Probe & { ok: true }} probe
 * @param {Pick<BuildStamp, 'patch' | 'sources' | 'deps'>} wanted
 * @returns {string | null}
 */
function whyRebuild(addon, probe, wanted) {
  const stamp = readStamp(addon);
  if (stamp?.patch !== wanted.patch) {
    return probe.extensions === null
      ? "it was built without vaekit's binding patch"
      : `it was built from another revision of vaekit's binding patch (extensions v${probe.extensions})`;
  }
  if (stamp.addon !== fileHash(addon)) return 'it was replaced since vaekit built it';
  if (stamp.deps !== wanted.deps) return 'it was built against another TensorFlow C library';
  if (stamp.sources !== wanted.sources) return "tfjs-node's binding sources changed since it was built";
  if (stamp.compiledSteps && probe.extensions !== NATIVE_PATCH_VERSION) return "it lacks vaekit's binding extensions";
  return null;
}

/** node-gyp's headers: the ones installed with this Node, so node-gyp never tries to download them. */
function nodeDir() {
  if (process.env['npm_config_nodedir']) return process.env['npm_config_nodedir'];
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** npm's own node-gyp, when neither the caller (pnpm/npm set npm_config_node_gyp) nor NODE_PATH offers one. */
function nodeGypBin() {
  const fromCaller = process.env['npm_config_node_gyp'];
  if (fromCaller && fs.existsSync(fromCaller)) return fromCaller;
  const prefix = path.dirname(path.dirname(process.execPath));
  const candidate = path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return fs.existsSync(candidate) ? candidate : null;
}

/** @param {string} tfjsNodeDir @param {string} logDir @param {string} rerun */
function buildAddon(tfjsNodeDir, logDir, rerun) {
  const req = createRequire(path.join(tfjsNodeDir, 'package.json'));
  const preGypBin = path.join(path.dirname(req.resolve('@mapbox/node-pre-gyp/package.json')), 'bin', 'node-pre-gyp');
  const headers = nodeDir();
  if (!headers) {
    throw new SetupError(
      `Node's C headers (include/node/node_api.h) are not next to ${process.execPath}, and node-gyp would ` +
        'try to download them.',
      'Install the Node headers (e.g. the nodejs development package of your distribution) or set ' +
        `npm_config_nodedir to a folder holding include/node, then run \`${rerun}\` again.`,
    );
  }
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    npm_config_build_from_source: 'true',
    npm_config_nodedir: headers,
    JOBS: process.env['JOBS'] ?? String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length)),
  };
  const gyp = nodeGypBin();
  if (gyp) env['npm_config_node_gyp'] = gyp;
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `build-tfjs-node-${Date.now()}.log`);
  // tfjs-node's own scripts/install.js would download libtensorflow and rewrite package.json inside the
  // install; node-pre-gyp alone only compiles and places the addon.
  const r = run(process.execPath, [preGypBin, 'install', '--build-from-source'], { cwd: tfjsNodeDir, env });
  fs.writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error ? String(r.error) : ''}`);
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
    throw new SetupError(
      `compiling tfjs-node's addon failed (${lines || `exit ${r.status}`}); the full log is ${logFile}.`,
      'The build needs python3, make and a C++ compiler (e.g. `apt-get install build-essential python3`). ' +
        `Fix what the log names, then run \`${rerun}\` again.`,
    );
  }
  return logFile;
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
