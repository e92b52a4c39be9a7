// Consumer projects: fresh folders from fixtures, the README examples written into them, and checks of
// what a consumer's install resolved and of what a tarball leaves out.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { check, FIXTURES, PACKAGES, ROOT, run, work } from './context.mjs';

/**
 * Marks a README code block the test runs: `<!-- release-e2e: <fixture>/<file> -->` right above it. The
 * fence line may carry markers after the language (the README snippet checker's `no-run: <reason>`).
 */
const README_MARKER = /<!--\s*release-e2e:\s*([\w.-]+)\/([\w.-]+)\s*-->\s*\n```[a-z]*[^\n]*\n([\s\S]*?)\n```/g;


/** The code blocks the READMEs mark for this test, by fixture folder. */
export function readmeExamples() {
  const examples = [];
  for (const dir of PACKAGES) {
    const readme = path.join(ROOT, dir, 'README.md');
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
export function consumerProject(fixture, registry) {
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
export async function checkInstalled(dir, names, version) {
  const probe = path.join(dir, 'installed-probe.mjs');
  fs.writeFileSync(
    probe,
    [
      "import fs from 'node:fs';",
      `const names = ${JSON.stringify(names)};`,
      'const found = {};',
      'for (const name of names) {',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the probe's source, not a template here
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
export function missingRelativeImports(pkgDir) {
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
