#!/usr/bin/env node
// The release end-to-end test (issue 7). It proves the five @vaekit packages and the @vaekit/cli command
// work as published, apart from this workspace:
//
//   1. builds the packages and the CLI, copies the workspace to a temporary folder (changesets'
//      versioning edits manifests and changelogs: only the copy is touched), versions it with changesets;
//   2. starts Verdaccio on a free 127.0.0.1 port with its own storage in a temporary folder, and
//      publishes every package to it with `changeset publish`;
//   3. checks each published tarball: no `workspace:` ranges, internal dependencies on the released
//      version, tfjs only as a peer of the libraries (exact dependencies of the CLI, tfjs-node an optional
//      peer), each command in the tarball, publint and are-the-types-wrong clean;
//   4. in a fresh folder installs @vaekit/core, variants, backends and tfjs-backend-wasm with plain npm
//      (only the @vaekit scope points at Verdaccio) and trains a tiny VAE, then runs the READMEs' examples;
//   5. in a second fresh folder installs @vaekit/conformance, @vaekit/variants and vitest, certifies a
//      third-party model, and certifies Vae and VqVae with a likelihood the consumer registers itself;
//   6. in a third fresh folder installs @vaekit/backends and then tfjs-node without its install script, runs
//      `npx vaekit-native-setup` (it says what to install while tfjs-node is missing, then builds the addon
//      against the machine's cached TensorFlow C library) and runs one op on the native backend;
//   7. in a fourth fresh folder installs @vaekit/cli alone and runs `npx vaekit` as its README shows:
//      backends, train on the folder's own CSV file, eval (JSON, and the table with progress on stderr),
//      sample and export, checking the files and output each leaves; the exported decoder, loaded by plain
//      tfjs in a process without vaekit, must match vaekit's decodeMean.
//
// One line per step; Verdaccio is stopped at the end, also on failure; the exit code is 0 only if
// every step passed. Options: --skip-build (use the packages' current dist), --keep (keep the
// temporary folders). A failed run keeps them too and prints where the logs are.
import fs from 'node:fs';

import { say, seconds, StepFailure, work } from './lib/context.mjs';
import { cliConsumerSteps } from './lib/cli-consumer.mjs';
import { consumerSteps } from './lib/consumer-steps.mjs';
import { releaseSteps } from './lib/release-steps.mjs';
import { stopVerdaccio } from './lib/verdaccio.mjs';

const options = new Set(process.argv.slice(2));
const keep = options.has('--keep');
const skipBuild = options.has('--skip-build');
for (const option of options) {
  if (!['--keep', '--skip-build'].includes(option)) {
    console.error(`unknown option ${option}; use --skip-build and/or --keep`);
    process.exit(2);
  }
}

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
  const release = await releaseSteps(step, { skipBuild });
  await consumerSteps(step, release);
  await cliConsumerSteps(step, release);
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
