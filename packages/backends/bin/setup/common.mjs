// @ts-check
// What every step of the native setup shares: versions, the log line, the error a user can act on, the
// cache folder and a child-process runner.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TF_VERSION = '2.21.0';
export const TFJS_NODE_VERSION = '4.22.0';
export const TFJS_NODE = '@tensorflow/tfjs-node';
export const WHEEL_NAME = 'tensorflow-cpu';
// The file name tfjs-node's own install script checks for before it would download anything.
export const TFJS_EXPECTED_LIB = 'libtensorflow.so.2.9.1';
export const PREFIX = '[vaekit setup]';
/** How a user adds tfjs-node without its install script (which would download libtensorflow 2.9.1). */
export const INSTALL_TFJS_NODE = `npm install --ignore-scripts ${TFJS_NODE}@${TFJS_NODE_VERSION}`;


/** @param {string} message */
export function log(message) {
  console.log(`${PREFIX} ${message}`);
}

export class SetupError extends Error {
  /**
   * @param {string} why what went wrong, in a user's words
   * @param {string} todo what the user can do about it
   */
  constructor(why, todo) {
    super(why);
    this.todo = todo;
  }
}

export function cacheRoot() {
  if (process.env['VAEKIT_CACHE_DIR']) return path.resolve(process.env['VAEKIT_CACHE_DIR']);
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'vaekit');
}

/** @param {string} dir @param {string[]} names */
export function hasAll(dir, names) {
  return names.every((n) => fs.existsSync(path.join(dir, n)));
}

export const REQUIRED_HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'];

/** @param {string} p */
export function isSymlink(p) {
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
export function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts, encoding: 'utf8' });
}

export function findPython() {
  for (const candidate of ['python3', 'python']) {
    const r = run(candidate, ['-c', 'import sys; print(sys.version_info[0])']);
    if (r.status === 0 && r.stdout.trim() === '3') return candidate;
  }
  return null;
}
