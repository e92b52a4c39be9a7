#!/usr/bin/env node
// @ts-check
// `npx vaekit-native-setup`: the native backend setup (./native-setup.mjs) as a command of the published
// package, run in a user's project after installing @tensorflow/tfjs-node without its install script.
// Only argument parsing lives here; the vaekit workspace's postinstall calls the same setupNative.
import fs from 'node:fs';
import path from 'node:path';

import { INSTALL_TFJS_NODE, TF_VERSION, TFJS_NODE_VERSION, setupNative } from './native-setup.mjs';

const COMMAND = 'vaekit-native-setup';

const HELP = `Usage: npx ${COMMAND} [--root DIR] [--optional]

Makes useBackend('native') from @vaekit/backends work: builds @tensorflow/tfjs-node ${TFJS_NODE_VERSION}'s addon
from source against the TensorFlow ${TF_VERSION} C library inside the tensorflow-cpu wheel (fetched once with
pip into ~/.cache/vaekit). Run it in your project after

  ${INSTALL_TFJS_NODE}

and again after any install that replaces tfjs-node; it is idempotent (under a second when nothing changed).
Needs Linux x64, python3 with pip, make and a C++ compiler, or your own C library (VAEKIT_LIBTENSORFLOW_DIR).

Options:
  --root DIR    the project whose node_modules hold tfjs-node (default: the current folder)
  --optional    for a postinstall script: a failure explains and exits 0 unless VAEKIT_REQUIRE_NATIVE=1,
                and VAEKIT_SKIP_NATIVE=1 skips the setup
  -h, --help    print this text

Environment:
  VAEKIT_LIBTENSORFLOW_DIR  a TensorFlow C library folder (lib/ and include/) to use instead of the wheel
  VAEKIT_CACHE_DIR          cache root (default: $XDG_CACHE_HOME/vaekit, else ~/.cache/vaekit)
  VAEKIT_REQUIRE_NATIVE=1   with --optional: a failure exits 1
  VAEKIT_SKIP_NATIVE=1      with --optional: do nothing

Exit code: 0 when the addon loads (or --optional explained why not), 1 when the setup failed, 2 for a usage error.`;

/** @param {string} message */
function usageError(message) {
  console.error(`${COMMAND}: ${message}\nRun \`npx ${COMMAND} --help\` for the options.`);
  return 2;
}

/** @param {string[]} argv @returns {number} the exit code */
function main(argv) {
  let root = process.cwd();
  let optional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '-h' || arg === '--help') {
      console.log(HELP);
      return 0;
    } else if (arg === '--optional') {
      optional = true;
    } else if (arg === '--root' || arg.startsWith('--root=')) {
      const value = arg === '--root' ? argv[++i] : arg.slice('--root='.length);
      if (!value) return usageError('--root needs a folder');
      root = path.resolve(value);
    } else {
      return usageError(`unknown argument ${arg}`);
    }
  }
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return usageError(`--root ${root} is not a folder`);
  const rerun = `npx ${COMMAND}${root === process.cwd() ? '' : ` --root ${root}`}`;
  return setupNative({ root, optional, rerun });
}

process.exitCode = main(process.argv.slice(2));
