// The folder snippets are written to, type-checked and run in: `.snippets/<pid>/` at the repository root
// (git-ignored), whose node_modules links every workspace package by name and every package a workspace
// package depends on, so a snippet imports `@vaekit/*` and tfjs as a user's project with them installed would.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORK_DIR = '.snippets';

/**
 * @typedef {object} SnippetFiles
 * @property {string} dir absolute path of the work folder
 * @property {string} srcDir where each snippet's .mts file is written
 * @property {string} outDir where the compiled .mjs files go
 * @property {string} runDir where each snippet runs, in a folder of its own
 */

/**
 * Empties the work folder and links its node_modules. Throws, naming the package, when a workspace
 * package has no dist: the snippets run against the built packages, as a user would.
 * @param {string} root
 * @returns {SnippetFiles}
 */
export function prepareWorkDir(root) {
  removeStaleRuns(join(root, WORK_DIR));
  // A folder per process, so two checks at once (two terminals, two test runs) do not overwrite each other.
  const dir = join(root, WORK_DIR, String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  const files = { dir, srcDir: join(dir, 'src'), outDir: join(dir, 'out'), runDir: join(dir, 'run') };
  for (const folder of [files.srcDir, files.outDir, files.runDir]) mkdirSync(folder, { recursive: true });
  linkDependencies(root, join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  return files;
}

/** Removes the folders of earlier checks whose process has ended; the last run's stays for a look until the next. */
function removeStaleRuns(/** @type {string} */ workDir) {
  if (!existsSync(workDir)) return;
  for (const entry of readdirSync(workDir)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(workDir, entry), { recursive: true, force: true });
  }
}

function isRunning(/** @type {number} */ pid) {
  try {
    // Signal 0 checks that the process exists without signalling it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * The file name a snippet is written under, which names where it comes from.
 * @param {{ file: string, line: number }} snippet
 */
export function snippetFileName(snippet) {
  return `${snippet.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${snippet.line}.mts`;
}

/** Links each workspace package under its name, then every dependency a workspace package has installed. */
function linkDependencies(/** @type {string} */ root, /** @type {string} */ modules) {
  mkdirSync(modules, { recursive: true });
  const workspaces = workspacePackages(root);
  const missingDist = workspaces.filter((pkg) => pkg.published && !existsSync(join(pkg.dir, 'dist')));
  if (missingDist.length > 0) {
    throw new Error(
      `README snippets run against the built packages, and ${missingDist.map((pkg) => pkg.name).join(', ')} ` +
        `${missingDist.length === 1 ? 'has' : 'have'} no dist: run \`pnpm build\` first`,
    );
  }
  for (const pkg of workspaces) link(pkg.dir, join(modules, pkg.name));
  for (const pkg of workspaces) {
    for (const [name, target] of installedPackages(join(pkg.dir, 'node_modules'))) link(target, join(modules, name));
  }
}

/** @returns {{ name: string, dir: string, published: boolean }[]} */
function workspacePackages(/** @type {string} */ root) {
  const packages = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir).sort()) {
      const manifestPath = join(groupDir, entry, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      packages.push({ name: manifest.name, dir: join(groupDir, entry), published: group === 'packages' && manifest.private !== true });
    }
  }
  return packages;
}

/** [name, path] of each package in a node_modules folder, scoped ones as `@scope/name`. */
function installedPackages(/** @type {string} */ modules) {
  /** @type {[string, string][]} */
  const found = [];
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(modules, entry))) found.push([`${entry}/${scoped}`, join(modules, entry, scoped)]);
    } else {
      found.push([entry, join(modules, entry)]);
    }
  }
  return found;
}

/** The first package linked under a name wins: the workspace's own packages, then the first workspace's dependency. */
function link(/** @type {string} */ target, /** @type {string} */ path) {
  if (existsSync(path) || isLink(path)) return;
  mkdirSync(join(path, '..'), { recursive: true });
  symlinkSync(target, path, 'dir');
}

function isLink(/** @type {string} */ path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
