// @ts-check
// The TensorFlow C library the addon links against: the user's own folder, or the tensorflow-cpu wheel's,
// staged in the shared cache in the layout tfjs-node's binding.gyp expects.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { cacheRoot, findPython, hasAll, isSymlink, log, REQUIRED_HEADERS, run, SetupError, TF_VERSION, TFJS_EXPECTED_LIB, WHEEL_NAME } from './common.mjs';

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

/**
 * Deps from the user's own TensorFlow C library (VAEKIT_LIBTENSORFLOW_DIR), staged as links.
 * @param {string} userDir @param {string} rerun
 */
export function stageUserLibrary(userDir, rerun) {
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
export function stageWheelLibrary(rerun) {
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
