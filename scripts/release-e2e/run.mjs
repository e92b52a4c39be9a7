#!/usr/bin/env node
// The release end-to-end test (issue 7). It proves the five @vaekit packages work as published, apart
// from this workspace:
//
//   1. builds the packages, copies the workspace to a temporary folder (changesets' versioning edits
//      manifests and changelogs: only the copy is touched), versions it with changesets;
//   2. starts Verdaccio on a free 127.0.0.1 port with its own storage in a temporary folder, and
//      publishes every package to it with `changeset publish`;
//   3. checks each published tarball: no `workspace:` ranges, internal dependencies on the released
//      version, tfjs only as a peer, publint and are-the-types-wrong clean;
//   4. in a fresh folder installs @vaekit/core, variants, backends and tfjs-backend-wasm with plain npm
//      (only the @vaekit scope points at Verdaccio) and trains a tiny VAE, then runs the READMEs' examples;
//   5. in a second fresh folder installs @vaekit/conformance and vitest and certifies a third-party model;
//   6. in a third fresh folder installs @vaekit/backends and then tfjs-node without its install script, runs
//      `npx vaekit-native-setup` (it says what to install while tfjs-node is missing, then builds the addon
//      against the machine's cached TensorFlow C library) and runs one op on the native backend.
//
// One line per step; Verdaccio is stopped at the end, also on failure; the exit code is 0 only if
// every step passed. Options: --skip-build (use the packages' current dist), --keep (keep the
// temporary folders). A failed run keeps them too and prints where the logs are.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const FIXTURES = path.join(HERE, 'fixtures');
/** The published packages, by folder under packages/. */
const PACKAGES = ['core', 'variants', 'backends', 'data', 'conformance'];
const TFJS_VERSION = '4.22.0';
const VITEST_VERSION = '4.1.12';
/** What `vaekit-native-setup` tells a user to run when tfjs-node is missing; the third consumer checks it. */
const INSTALL_TFJS_NODE = `npm install --ignore-scripts @tensorflow/tfjs-node@${TFJS_VERSION}`;
/** Marks a README code block the test runs: `<!-- release-e2e: <fixture>/<file> -->` right above it. */
const README_MARKER = /<!--\s*release-e2e:\s*([\w.-]+)\/([\w.-]+)\s*-->\s*\n```[a-z]*\n([\s\S]*?)\n```/g;

const options = new Set(process.argv.slice(2));
const keep = options.has('--keep');
const skipBuild = options.has('--skip-build');
for (const option of options) {
  if (!['--keep', '--skip-build'].includes(option)) {
    console.error(`unknown option ${option}; use --skip-build and/or --keep`);
    process.exit(2);
  }
}

const started = performance.now();
const seconds = (ms) => (ms / 1000).toFixed(1);
const say = (text) => console.log(`[release-e2e +${seconds(performance.now() - started)}s] ${text}`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-release-e2e-'));
const logs = path.join(work, 'logs');
fs.mkdirSync(logs);
let logCount = 0;

class StepFailure extends Error {}

// ---------------------------------------------------------------------------------------------------
// Processes

/**
 * Runs a command to completion, its output into a log file; throws with the output's tail when it does not
 * exit with `expectCode` (0 unless a step checks a command's failure).
 */
async function run(command, args, { cwd, env = {}, timeoutMs = 300_000, label = path.basename(command), expectCode = 0 } = {}) {
  const logFile = path.join(logs, `${String(++logCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '_')}.log`);
  const out = fs.openSync(logFile, 'w');
  fs.writeSync(out, `$ ${command} ${args.join(' ')}\n# cwd ${cwd}\n\n`);
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', out, out],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    clearTimeout(timer);
    fs.closeSync(out);
  });
  const output = fs.readFileSync(logFile, 'utf8');
  if (code !== expectCode) {
    const tail = output.trimEnd().split('\n').slice(-40).join('\n');
    const expected = expectCode === 0 ? '' : ` (expected ${expectCode})`;
    const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs / 1000} s` : ''})` : `exited with code ${code}${expected}`;
    throw new StepFailure(`\`${label}\` ${why}. Last lines of ${logFile}:\n${tail}`);
  }
  return output;
}

const npmCommand = 'npm';
const npxCommand = 'npx';
const pnpmCommand = 'pnpm';

// ---------------------------------------------------------------------------------------------------
// Verdaccio

let verdaccio; // the child process, while it runs

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startVerdaccio() {
  const home = path.join(work, 'verdaccio');
  fs.mkdirSync(home);
  const configFile = path.join(home, 'config.yaml');
  // No uplinks: it serves only what is published to it. Anyone may read; publishing needs a user,
  // created below. The web UI is off.
  fs.writeFileSync(
    configFile,
    [
      `storage: ${JSON.stringify(path.join(home, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(path.join(home, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = path.join(HERE, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const logFile = path.join(logs, 'verdaccio.log');
  const out = fs.openSync(logFile, 'w');
  verdaccio = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: home,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  verdaccio.on('exit', (code, signal) => (exited = signal ?? code));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new StepFailure(`Verdaccio exited (${exited}) before it answered. Its log, ${logFile}:\n${fs.readFileSync(logFile, 'utf8')}`);
    try {
      const response = await fetch(new URL('-/ping', url));
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new StepFailure(`Verdaccio did not answer on ${url} within 30 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // Create the publishing user; Verdaccio answers with its token.
  const user = 'release-e2e';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${user}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: `pw-${process.pid}-${port}` }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.token !== 'string') {
    throw new StepFailure(`Verdaccio refused to create a user (${response.status}): ${JSON.stringify(body)}`);
  }
  return { url, port, token: body.token, logFile };
}

async function stopVerdaccio() {
  const child = verdaccio;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  verdaccio = undefined;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

// Stop Verdaccio whatever ends this process.
process.on('exit', () => verdaccio?.kill('SIGKILL'));
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]]) {
  process.on(signal, () => {
    console.error(`[release-e2e] ${signal}: stopping Verdaccio; temporary folders kept in ${work}`);
    verdaccio?.kill('SIGKILL');
    process.exit(128 + number);
  });
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}

/** The code blocks the READMEs mark for this test, by fixture folder. */
function readmeExamples() {
  const examples = [];
  for (const dir of PACKAGES) {
    const readme = path.join(ROOT, 'packages', dir, 'README.md');
    if (!fs.existsSync(readme)) continue;
    for (const match of fs.readFileSync(readme, 'utf8').matchAll(README_MARKER)) {
      examples.push({ source: path.relative(ROOT, readme), fixture: match[1], file: match[2], code: `${match[3]}\n` });
    }
  }
  return examples;
}

/**
 * A fresh consumer project from a fixture folder, outside any workspace, whose `.npmrc` sends only the
 * @vaekit scope to Verdaccio. README examples for this fixture are written next to its files; where the
 * fixture already has a file of that name, the README must show exactly that file.
 */
function consumerProject(fixture, registry) {
  const dir = path.join(work, `consumer-${fixture}`);
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.npmrc'), `@vaekit:registry=${registry}\n`);
  const fromReadmes = [];
  for (const example of readmeExamples().filter((e) => e.fixture === fixture)) {
    const target = path.join(dir, example.file);
    if (fs.existsSync(target)) {
      check(
        fs.readFileSync(target, 'utf8').trim() === example.code.trim(),
        `${example.source}'s example for ${fixture}/${example.file} differs from scripts/release-e2e/fixtures/${fixture}/${example.file}: make them the same`,
      );
    } else {
      fs.writeFileSync(target, example.code);
      fromReadmes.push(example);
    }
  }
  return { dir, fromReadmes };
}

/** Checks every @vaekit package a consumer imports comes from its own node_modules, at the released version. */
async function checkInstalled(dir, names, version) {
  const probe = path.join(dir, 'installed-probe.mjs');
  fs.writeFileSync(
    probe,
    [
      "import fs from 'node:fs';",
      `const names = ${JSON.stringify(names)};`,
      'const found = {};',
      'for (const name of names) {',
      "  const manifestUrl = import.meta.resolve(`${name}/package.json`);",
      '  found[name] = { version: JSON.parse(fs.readFileSync(new URL(manifestUrl), "utf8")).version, at: manifestUrl };',
      '}',
      'console.log(JSON.stringify(found));',
    ].join('\n'),
  );
  const output = await run(process.execPath, [probe], { cwd: dir, label: 'probe-installed' });
  const found = JSON.parse(output.trim().split('\n').at(-1));
  const inside = pathToFileURL(path.join(dir, 'node_modules')).href;
  for (const name of names) {
    check(found[name].at.startsWith(inside), `${name} resolves to ${found[name].at}, outside the consumer's node_modules`);
    check(found[name].version === version, `${name} ${found[name].version} is installed, expected the released ${version}`);
  }
  // One tfjs-core in the whole tree: a second copy would be a second engine the backends do not see.
  const copies = [];
  const walkModules = (modules) => {
    for (const entry of fs.readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const full = path.join(modules, entry.name);
      const packageDirs = entry.name.startsWith('@') ? fs.readdirSync(full).map((n) => path.join(full, n)) : [full];
      for (const pkg of packageDirs) {
        if (pkg.endsWith(path.join('@tensorflow', 'tfjs-core'))) copies.push(path.relative(dir, pkg));
        if (fs.existsSync(path.join(pkg, 'node_modules'))) walkModules(path.join(pkg, 'node_modules'));
      }
    }
  };
  walkModules(path.join(dir, 'node_modules'));
  check(copies.length === 1, `expected exactly one @tensorflow/tfjs-core, found ${copies.length}: ${copies.join(', ') || 'none'}`);
}

/**
 * Relative imports in a package's JavaScript and declaration files whose target is not in the package:
 * what a `files` allow-list that leaves a module out looks like, found before anyone installs it.
 */
function missingRelativeImports(pkgDir) {
  const missing = [];
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  const visit = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') visit(full);
      else if (/\.(m?js|d\.m?ts)$/.test(entry.name)) {
        const declaration = /\.d\.m?ts$/.test(entry.name);
        for (const [, spec] of fs.readFileSync(full, 'utf8').matchAll(specifier)) {
          let target = path.resolve(folder, spec);
          if (declaration) target = target.replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts');
          if (!fs.existsSync(target)) missing.push(`${path.relative(pkgDir, full)} imports ${spec}, which is not in the tarball`);
        }
      }
    }
  };
  visit(pkgDir);
  return missing;
}

// ---------------------------------------------------------------------------------------------------
// Steps

const results = [];

async function step(name, body) {
  const t0 = performance.now();
  try {
    const detail = await body();
    const took = performance.now() - t0;
    results.push({ name, ok: true, ms: took });
    say(`ok   ${name} (${seconds(took)} s)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    const took = performance.now() - t0;
    results.push({ name, ok: false, ms: took });
    say(`FAIL ${name} (${seconds(took)} s)`);
    throw error;
  }
}

async function main() {
  let registry;
  let version;
  const tarballs = {};

  await step('tools: Verdaccio, publint and are-the-types-wrong installed with npm in scripts/release-e2e', async () => {
    const want = readJson(path.join(HERE, 'package.json')).devDependencies;
    const stale = Object.entries(want).filter(([name, wanted]) => {
      const manifest = path.join(HERE, 'node_modules', name, 'package.json');
      return !fs.existsSync(manifest) || readJson(manifest).version !== wanted;
    });
    if (stale.length === 0) return 'already installed';
    await run(npmCommand, ['ci', '--no-audit', '--no-fund'], { cwd: HERE, label: 'npm-ci-tools' });
    return `installed ${stale.map(([n, v]) => `${n}@${v}`).join(', ')}`;
  });

  await step('build: the five packages (turbo)', async () => {
    if (skipBuild) return 'skipped (--skip-build)';
    await run(pnpmCommand, ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
      cwd: ROOT,
      label: 'turbo-build',
    });
    for (const dir of PACKAGES) check(fs.existsSync(path.join(ROOT, 'packages', dir, 'dist')), `packages/${dir}/dist is missing after the build`);
  });

  const copy = path.join(work, 'workspace');
  await step('copy: the workspace into a throwaway folder (versioning edits only the copy)', async () => {
    fs.mkdirSync(copy);
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.npmrc']) {
      if (fs.existsSync(path.join(ROOT, file))) fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    }
    fs.cpSync(path.join(ROOT, '.changeset'), path.join(copy, '.changeset'), { recursive: true });
    // Every workspace manifest (changesets validates its config against them); the published
    // packages whole, with their node_modules links, which pnpm publish reads `workspace:` versions from.
    for (const group of ['packages', 'apps']) {
      for (const entry of fs.readdirSync(path.join(ROOT, group), { withFileTypes: true })) {
        const from = path.join(ROOT, group, entry.name);
        if (!entry.isDirectory() || !fs.existsSync(path.join(from, 'package.json'))) continue;
        const to = path.join(copy, group, entry.name);
        if (group === 'packages' && PACKAGES.includes(entry.name)) {
          fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.includes(`${path.sep}.turbo`) });
        } else {
          fs.mkdirSync(to, { recursive: true });
          fs.copyFileSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
        }
      }
    }
    // The packages' relative links into the root node_modules (and changesets' changelog module) resolve
    // through this link to the real one.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    // Always something to release, on top of whatever changesets are pending in the repository.
    fs.writeFileSync(
      path.join(copy, '.changeset', 'release-e2e-check.md'),
      ['---', ...PACKAGES.map((dir) => `'${readJson(path.join(ROOT, 'packages', dir, 'package.json')).name}': patch`), '---', '', 'Release test.', ''].join('\n'),
    );
    return copy;
  });

  let server;
  await step('verdaccio: start on a free 127.0.0.1 port with its own storage', async () => {
    server = await startVerdaccio();
    return server.url;
  });
  registry = server.url;
  // npm and pnpm settings for versioning and publishing: only Verdaccio, with its token; nothing from
  // the user's own npmrc (no real tokens, no other registry).
  const publishRc = path.join(work, 'publish.npmrc');
  fs.writeFileSync(publishRc, `registry=${registry}\n//127.0.0.1:${server.port}/:_authToken=${server.token}\n`);
  const publishEnv = { npm_config_userconfig: publishRc, npm_config_registry: registry };
  const changeset = path.join(ROOT, 'node_modules', '.bin', 'changeset');

  await step('version: changeset version (fixed group)', async () => {
    const before = Object.fromEntries(PACKAGES.map((dir) => [dir, readJson(path.join(copy, 'packages', dir, 'package.json')).version]));
    await run(changeset, ['version'], { cwd: copy, env: publishEnv, label: 'changeset-version' });
    const after = Object.fromEntries(PACKAGES.map((dir) => [dir, readJson(path.join(copy, 'packages', dir, 'package.json')).version]));
    const versions = new Set(Object.values(after));
    check(versions.size === 1, `the fixed group should give every package one version, got ${JSON.stringify(after)}`);
    for (const dir of PACKAGES) check(after[dir] !== before[dir], `packages/${dir} was not versioned (still ${before[dir]})`);
    for (const dir of PACKAGES) check(fs.existsSync(path.join(copy, 'packages', dir, 'CHANGELOG.md')), `packages/${dir} got no CHANGELOG.md`);
    version = [...versions][0];
    return `${Object.values(before)[0]} -> ${version}`;
  });

  await step('publish: changeset publish to Verdaccio', async () => {
    await run(changeset, ['publish', '--no-git-tag'], { cwd: copy, env: publishEnv, label: 'changeset-publish' });
    for (const dir of PACKAGES) {
      const name = readJson(path.join(copy, 'packages', dir, 'package.json')).name;
      const response = await fetch(new URL(name.replace('/', '%2f'), registry));
      check(response.ok, `${name} is not on Verdaccio after publishing (${response.status})`);
      const packument = await response.json();
      check(packument['dist-tags']?.latest === version, `${name}'s latest tag is ${packument['dist-tags']?.latest}, expected ${version}`);
      tarballs[name] = { dir, manifest: packument.versions[version] };
    }
    return `${Object.keys(tarballs).join(', ')} @ ${version}`;
  });

  await step('tarballs: dependencies, peers, publint, are-the-types-wrong', async () => {
    const { publint } = await import(pathToFileURL(path.join(HERE, 'node_modules', 'publint', 'src', 'index-node.js')).href);
    const { formatMessage } = await import(pathToFileURL(path.join(HERE, 'node_modules', 'publint', 'src', 'utils.js')).href);
    const problems = [];
    const internal = new Set(Object.keys(tarballs));
    const files = [];
    for (const [name, { dir, manifest }] of Object.entries(tarballs)) {
      const file = path.join(work, 'tarballs', `${name.replace('/', '-').replace('@', '')}-${version}.tgz`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const response = await fetch(manifest.dist.tarball);
      check(response.ok, `cannot download ${name}'s tarball (${response.status})`);
      fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));

      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (range.startsWith('workspace:')) problems.push(`${name}: ${field}.${dep} is still "${range}"`);
          if (internal.has(dep) && range !== `^${version}`) problems.push(`${name}: ${field}.${dep} is "${range}", expected "^${version}"`);
        }
      }
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (dep.startsWith('@tensorflow/')) problems.push(`${name}: ${dep} is a dependency; tfjs packages must be peer dependencies`);
      }
      if (!manifest.peerDependencies?.['@tensorflow/tfjs-core']) problems.push(`${name}: @tensorflow/tfjs-core is not a peer dependency`);

      const extracted = path.join(work, 'tarballs', name.replace('/', '-').replace('@', ''));
      fs.mkdirSync(extracted, { recursive: true });
      await run('tar', ['-xzf', file, '-C', extracted], { cwd: work, label: `untar-${dir}` });
      const pkgDir = path.join(extracted, 'package');
      for (const required of ['README.md', 'LICENSE']) {
        if (!fs.existsSync(path.join(pkgDir, required))) problems.push(`${name}: ${required} is not in the tarball`);
      }
      for (const missing of missingRelativeImports(pkgDir)) problems.push(`${name}: ${missing}`);
      const lint = await publint({ pkgDir, pack: false, level: 'suggestion', strict: true });
      for (const message of lint.messages) problems.push(`${name}: publint ${message.type}: ${formatMessage(message, readJson(path.join(pkgDir, 'package.json')))}`);
      files.push({ name, dir, file });
    }
    // are-the-types-wrong takes a few seconds a package: all five at once. ESM-only profile: the
    // packages ship no CommonJS, on purpose.
    const attw = path.join(HERE, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const verdicts = await Promise.allSettled(
      files.map(({ dir, file }) =>
        run(process.execPath, [attw, file, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'], { cwd: work, label: `attw-${dir}` }),
      ),
    );
    verdicts.forEach((verdict, i) => {
      if (verdict.status === 'rejected') problems.push(`${files[i].name}: are-the-types-wrong: ${verdict.reason.message}`);
    });
    check(problems.length === 0, `the published packages have problems:\n  ${problems.join('\n  ')}`);
    return `${Object.keys(tarballs).length} tarballs clean`;
  });

  const trainer = consumerProject('train-vae', registry);
  await step('consumer 1: npm install @vaekit/core @vaekit/variants @vaekit/backends @tensorflow/tfjs-backend-wasm', async () => {
    await run(
      npmCommand,
      ['install', '--no-audit', '--no-fund', '@vaekit/core', '@vaekit/variants', '@vaekit/backends', `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`],
      { cwd: trainer.dir, label: 'npm-install-train-vae' },
    );
    await checkInstalled(trainer.dir, ['@vaekit/core', '@vaekit/variants', '@vaekit/backends'], version);
    return trainer.dir;
  });

  await step('consumer 1: train a tiny VAE on wasm', async () => {
    const output = await run(process.execPath, ['train.mjs'], { cwd: trainer.dir, label: 'train-vae' });
    return output.trim().split('\n').at(-1);
  });

  await step('consumer 1: the READMEs\' examples', async () => {
    check(trainer.fromReadmes.length > 0, 'no README example is marked for the train-vae consumer');
    for (const example of trainer.fromReadmes) {
      await run(process.execPath, [example.file], { cwd: trainer.dir, label: `readme-${example.file}` });
    }
    return trainer.fromReadmes.map((e) => `${e.source} (${e.file})`).join(', ');
  });

  const certifier = consumerProject('certify-variant', registry);
  await step(`consumer 2: npm install @vaekit/conformance vitest@${VITEST_VERSION} @tensorflow/tfjs-backend-wasm`, async () => {
    await run(
      npmCommand,
      ['install', '--no-audit', '--no-fund', '@vaekit/conformance', `vitest@${VITEST_VERSION}`, `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`],
      { cwd: certifier.dir, label: 'npm-install-certify-variant' },
    );
    await checkInstalled(certifier.dir, ['@vaekit/conformance', '@vaekit/core', '@vaekit/backends'], version);
    return certifier.dir;
  });

  await step('consumer 2: certify a third-party model with defineConformanceSuite', async () => {
    const report = path.join(certifier.dir, 'vitest-report.json');
    await run(
      process.execPath,
      [path.join(certifier.dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      { cwd: certifier.dir, label: 'vitest-certify-variant' },
    );
    const summary = readJson(report);
    check(summary.numFailedTests === 0 && summary.numPassedTests > 0, `vitest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
    const names = summary.testResults.flatMap((file) => file.assertionResults.map((t) => t.fullName));
    check(names.some((n) => n.includes('MyVae')), 'no test ran for MyVae');
    return `${summary.numPassedTests} passed, ${summary.numPendingTests} skipped (by declared capability), 0 failed`;
  });

  // The native backend as a user of the published package gets it. `npx --no` runs only the command the
  // installed @vaekit/backends provides: were its bin missing, plain npx would offer to fetch some other
  // package of that name from the registry instead of failing here.
  const setupCommand = ['--no', 'vaekit-native-setup'];
  const native = consumerProject('use-native', registry);
  await step('consumer 3: npm install @vaekit/backends; without tfjs-node, npx vaekit-native-setup exits 1 with the install command', async () => {
    await run(npmCommand, ['install', '--no-audit', '--no-fund', '@vaekit/backends', `@tensorflow/tfjs-core@${TFJS_VERSION}`], {
      cwd: native.dir,
      label: 'npm-install-use-native',
    });
    await checkInstalled(native.dir, ['@vaekit/backends'], version);
    const output = await run(npxCommand, setupCommand, { cwd: native.dir, label: 'native-setup-without-tfjs-node', expectCode: 1 });
    check(output.includes(INSTALL_TFJS_NODE), `vaekit-native-setup without tfjs-node did not name \`${INSTALL_TFJS_NODE}\`:\n${output}`);
    return native.dir;
  });

  await step(`consumer 3: ${INSTALL_TFJS_NODE}`, async () => {
    await run(npmCommand, ['install', '--no-audit', '--no-fund', '--ignore-scripts', `@tensorflow/tfjs-node@${TFJS_VERSION}`], {
      cwd: native.dir,
      label: 'npm-install-tfjs-node',
    });
    // Still one tfjs-core with tfjs-node's own tfjs dependencies in the tree.
    await checkInstalled(native.dir, ['@vaekit/backends'], version);
    const addon = path.join(native.dir, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
    check(!fs.existsSync(addon), `tfjs-node came with ${addon}: its install script ran, so the next step would not prove the build`);
  });

  await step('consumer 3: npx vaekit-native-setup (builds the addon against the cached TensorFlow C library)', async () => {
    // Compiling the addon takes 20 s on an idle machine, minutes on a busy one; fetching the wheel (only
    // on a machine without the cache) longer.
    const output = await run(npxCommand, setupCommand, { cwd: native.dir, label: 'native-setup', timeoutMs: 1_200_000 });
    const lines = output.split('\n').filter((l) => l.startsWith('[vaekit setup]'));
    check(lines.some((l) => l.includes('native backend ready')), `vaekit-native-setup did not report the native backend ready:\n${output}`);
    return lines.filter((l) => /addon (built|loads)/.test(l)).join('; ');
  });

  await step("consumer 3: useBackend('native') runs an op on TensorFlow (the backends README's example)", async () => {
    check(
      native.fromReadmes.length === 0 && readmeExamples().some((e) => e.fixture === 'use-native' && e.file === 'native.mjs'),
      'the backends README should show fixtures/use-native/native.mjs (and nothing else for use-native)',
    );
    const output = await run(process.execPath, ['native.mjs'], { cwd: native.dir, label: 'use-native' });
    const line = output.split('\n').findLast((l) => l.startsWith('{'));
    check(line !== undefined, `native.mjs printed no JSON line:\n${output}`);
    const report = JSON.parse(line);
    check(report.backend === 'tensorflow', `the op ran on ${report.backend}, not tensorflow`);
    check(/^TensorFlow \d/.test(report.runtime), `the native backend reports runtime ${report.runtime}`);
    check(JSON.stringify(report.product) === '[3,7]', `[[1, 2], [3, 4]] x [[1], [1]] gave ${JSON.stringify(report.product)}`);
    return line;
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\n${error instanceof StepFailure ? error.message : error.stack}\n`);
} finally {
  await stopVerdaccio();
}
if (failed) {
  say(`FAILED. Logs and temporary folders kept in ${work}`);
  process.exit(1);
}
if (keep) say(`passed, ${results.length} steps. Kept ${work}`);
else {
  fs.rmSync(work, { recursive: true, force: true });
  say(`passed, ${results.length} steps`);
}
