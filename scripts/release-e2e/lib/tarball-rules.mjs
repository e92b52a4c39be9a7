// How a published manifest must name tfjs, and what a package's commands must be. The libraries take tfjs
// as peers, so a project has one tfjs-core that every package and backend shares. The command line is an
// application: its tfjs packages are dependencies at exactly the version the libraries' peers ask for (so
// npm installs one copy that satisfies both), and tfjs-node stays an optional peer, because a dependency on
// it would run its install script, which downloads a libtensorflow vaekit does not use.
import fs from 'node:fs';
import path from 'node:path';

import { CLI_PACKAGE, TFJS_VERSION } from './context.mjs';

const TFJS_NODE = '@tensorflow/tfjs-node';

/** What is wrong with how the manifest of the package in workspace folder `dir` names the tfjs packages. */
export function tfjsProblems(name, dir, manifest) {
  const problems = [];
  const dependencies = Object.entries(manifest.dependencies ?? {}).filter(([dep]) => dep.startsWith('@tensorflow/'));
  if (dir !== CLI_PACKAGE) {
    for (const [dep] of dependencies) problems.push(`${name}: ${dep} is a dependency; tfjs packages must be peer dependencies`);
    if (!manifest.peerDependencies?.['@tensorflow/tfjs-core']) problems.push(`${name}: @tensorflow/tfjs-core is not a peer dependency`);
    return problems;
  }
  for (const [dep, range] of dependencies) {
    if (range !== TFJS_VERSION) problems.push(`${name}: dependencies.${dep} is "${range}", expected exactly "${TFJS_VERSION}"`);
  }
  for (const needed of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu']) {
    if (!manifest.dependencies?.[needed]) problems.push(`${name}: ${needed} is not a dependency, so a plain install of the command cannot run`);
  }
  for (const field of ['dependencies', 'optionalDependencies']) {
    if (manifest[field]?.[TFJS_NODE]) problems.push(`${name}: ${TFJS_NODE} is in ${field}; its install script would run on every install`);
  }
  if (manifest.peerDependencies?.[TFJS_NODE] !== TFJS_VERSION || manifest.peerDependenciesMeta?.[TFJS_NODE]?.optional !== true) {
    problems.push(`${name}: ${TFJS_NODE} should be an optional peer dependency at ${TFJS_VERSION}`);
  }
  return problems;
}

/** Each command the package declares must be in the tarball and start with a `node` shebang. */
export function binProblems(name, pkgDir, manifest) {
  const bins = typeof manifest.bin === 'string' ? { [name]: manifest.bin } : (manifest.bin ?? {});
  const problems = [];
  for (const [command, target] of Object.entries(bins)) {
    const file = path.join(pkgDir, target);
    if (!fs.existsSync(file)) problems.push(`${name}: bin ${command} -> ${target} is not in the tarball`);
    else if (!fs.readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node')) problems.push(`${name}: bin ${command} (${target}) has no node shebang`);
  }
  return problems;
}
