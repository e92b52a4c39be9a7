// Small tmpfs mounts: a real full disk and a real read-only file system. Mounting needs root, which CI
// has; anywhere else the checks that need one fail loudly rather than skip, so a green run always ran them.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { CheckFailure } from './harness.mjs';

/** @type {string[]} */
const mounts = [];

/**
 * Mounts a tmpfs of `size` (e.g. '4m') on a new folder `path`.
 * @param {string} path
 * @param {string} size
 */
export function mountTmpfs(path, size) {
  if (process.getuid?.() !== 0) {
    throw new CheckFailure(`this check mounts a tmpfs and must run as root (CI does); running as uid ${process.getuid?.()}, so it cannot run here`);
  }
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
  mounts.push(path);
  return path;
}

/** @param {string} path */
export function remountReadOnly(path) {
  execFileSync('mount', ['-o', 'remount,ro', path]);
}

/** Unmounts (lazily) every tmpfs this suite mounted. */
export function unmountAll() {
  for (const mount of mounts.splice(0).reverse()) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}
