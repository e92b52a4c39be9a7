// @ts-check
// tfjs-node's addon: where it lives, whether it loads and carries the binding patch, the stamp that says
// what it was built from, and the build itself.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { NATIVE_PATCH_VERSION } from '../../native-patch/patch.mjs';
import { isSymlink, run, SetupError } from './common.mjs';

/**
 * Point `<tfjs-node>/deps` at the staged library. pnpm can restore a built addon without this link.
 * @param {string} tfjsNodeDir @param {string} deps
 */
export function linkDeps(tfjsNodeDir, deps) {
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
export function addonPath(tfjsNodeDir) {
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
export function probeAddon(file) {
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
export function fileHash(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The binding's sources as the compiler sees them (binding.gyp and binding/, patch included): a stamp that
 * records them notices any change to tfjs-node's own files, not only to ours.
 * @param {string} tfjsNodeDir
 */
export function sourcesHash(tfjsNodeDir) {
  const hash = createHash('sha256');
  const files = ['binding.gyp', ...fs.readdirSync(path.join(tfjsNodeDir, 'binding')).sort().map((n) => path.join('binding', n))];
  for (const file of files) hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(tfjsNodeDir, file)));
  return hash.digest('hex');
}

/** @param {string} addon @returns {Partial<BuildStamp> | undefined} */
export function readStamp(addon) {
  try {
    return JSON.parse(fs.readFileSync(stampPath(addon), 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {string} addon @param {BuildStamp} stamp */
export function writeStamp(addon, stamp) {
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
export function whyRebuild(addon, probe, wanted) {
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
export function buildAddon(tfjsNodeDir, logDir, rerun) {
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
