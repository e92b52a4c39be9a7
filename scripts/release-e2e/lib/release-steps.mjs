// The release half of the test: tools, build, a throwaway copy of the workspace, changesets' version
// and publish to Verdaccio, and the published tarballs' checks.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { missingRelativeImports } from './consumers.mjs';
import { binProblems, tfjsProblems } from './tarball-rules.mjs';
import { CLI_PACKAGE, check, HERE, npmCommand, PACKAGES, pnpmCommand, readJson, ROOT, run, work } from './context.mjs';
import { startVerdaccio } from './verdaccio.mjs';

/**
 * Runs the release steps through `step`; returns the registry's URL and the released version.
 * @param {(name: string, body: () => Promise<string | void>) => Promise<void>} step
 * @param {{ skipBuild: boolean }} options
 */
export async function releaseSteps(step, { skipBuild }) {
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

  await step('build: the five packages and the CLI (turbo)', async () => {
    if (skipBuild) return 'skipped (--skip-build)';
    const filters = PACKAGES.map((dir) => `--filter=./${dir}`);
    await run(pnpmCommand, ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
      cwd: ROOT,
      label: 'turbo-build',
    });
    for (const dir of PACKAGES) check(fs.existsSync(path.join(ROOT, dir, 'dist')), `${dir}/dist is missing after the build`);
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
        if (PACKAGES.includes(`${group}/${entry.name}`)) {
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
      ['---', ...PACKAGES.map((dir) => `'${readJson(path.join(ROOT, dir, 'package.json')).name}': patch`), '---', '', 'Release test.', ''].join('\n'),
    );
    return copy;
  });

  let server;
  await step('verdaccio: start on a free 127.0.0.1 port with its own storage', async () => {
    server = await startVerdaccio();
    return server.url;
  });
  const registry = server.url;
  // npm and pnpm settings for versioning and publishing: only Verdaccio, with its token; nothing from
  // the user's own npmrc (no real tokens, no other registry).
  const publishRc = path.join(work, 'publish.npmrc');
  fs.writeFileSync(publishRc, `registry=${registry}\n//127.0.0.1:${server.port}/:_authToken=${server.token}\n`);
  const publishEnv = { npm_config_userconfig: publishRc, npm_config_registry: registry };
  const changeset = path.join(ROOT, 'node_modules', '.bin', 'changeset');

  await step('version: changeset version (fixed group)', async () => {
    const before = Object.fromEntries(PACKAGES.map((dir) => [dir, readJson(path.join(copy, dir, 'package.json')).version]));
    await run(changeset, ['version'], { cwd: copy, env: publishEnv, label: 'changeset-version' });
    const after = Object.fromEntries(PACKAGES.map((dir) => [dir, readJson(path.join(copy, dir, 'package.json')).version]));
    const versions = new Set(Object.values(after));
    check(versions.size === 1, `the fixed group should give every package one version, got ${JSON.stringify(after)}`);
    for (const dir of PACKAGES) check(after[dir] !== before[dir], `${dir} was not versioned (still ${before[dir]})`);
    for (const dir of PACKAGES) check(fs.existsSync(path.join(copy, dir, 'CHANGELOG.md')), `${dir} got no CHANGELOG.md`);
    version = [...versions][0];
    return `${Object.values(before)[0]} -> ${version}`;
  });

  await step('publish: changeset publish to Verdaccio', async () => {
    await run(changeset, ['publish', '--no-git-tag'], { cwd: copy, env: publishEnv, label: 'changeset-publish' });
    for (const dir of PACKAGES) {
      const name = readJson(path.join(copy, dir, 'package.json')).name;
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
      problems.push(...tfjsProblems(name, dir, manifest));

      const extracted = path.join(work, 'tarballs', name.replace('/', '-').replace('@', ''));
      fs.mkdirSync(extracted, { recursive: true });
      await run('tar', ['-xzf', file, '-C', extracted], { cwd: work, label: `untar-${dir}` });
      const pkgDir = path.join(extracted, 'package');
      for (const required of ['README.md', 'LICENSE']) {
        if (!fs.existsSync(path.join(pkgDir, required))) problems.push(`${name}: ${required} is not in the tarball`);
      }
      for (const missing of missingRelativeImports(pkgDir)) problems.push(`${name}: ${missing}`);
      problems.push(...binProblems(name, pkgDir, manifest));
      const lint = await publint({ pkgDir, pack: false, level: 'suggestion', strict: true });
      for (const message of lint.messages) problems.push(`${name}: publint ${message.type}: ${formatMessage(message, readJson(path.join(pkgDir, 'package.json')))}`);
      // The CLI has no entry point to import, so no types to check.
      if (dir !== CLI_PACKAGE) files.push({ name, dir, file });
    }
    // are-the-types-wrong takes a few seconds a package: all five libraries at once. ESM-only profile:
    // the packages ship no CommonJS, on purpose.
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

  return { registry, version };
}
