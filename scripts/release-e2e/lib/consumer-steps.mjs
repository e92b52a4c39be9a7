// The consumer half of the test: three fresh projects install the published packages with plain npm and
// use them as a user would (train on wasm, certify a model, set up and use the native backend).
import fs from 'node:fs';
import path from 'node:path';

import { checkInstalled, consumerProject, readmeExamples } from './consumers.mjs';
import { check, INSTALL_TFJS_NODE, npmCommand, npxCommand, readJson, run, TFJS_VERSION, VITEST_VERSION } from './context.mjs';

/**
 * Runs the consumer steps against the registry holding `version`.
 * @param {(name: string, body: () => Promise<string | void>) => Promise<void>} step
 * @param {{ registry: string, version: string }} release
 */
export async function consumerSteps(step, { registry, version }) {
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
  await step(`consumer 2: npm install @vaekit/conformance @vaekit/variants vitest@${VITEST_VERSION} @tensorflow/tfjs-backend-wasm`, async () => {
    await run(
      npmCommand,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '@vaekit/conformance',
        '@vaekit/variants',
        `vitest@${VITEST_VERSION}`,
        `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
      ],
      { cwd: certifier.dir, label: 'npm-install-certify-variant' },
    );
    await checkInstalled(certifier.dir, ['@vaekit/conformance', '@vaekit/core', '@vaekit/backends', '@vaekit/variants'], version);
    return certifier.dir;
  });

  await step("consumer 2: certify a third-party model, and the built-in models with a third-party likelihood ('my-laplace'), with defineConformanceSuite", async () => {
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
    // The likelihood the consumer registered itself: its cases ran, and the suite drew their data from its support.
    for (const className of ['Vae', 'VqVae']) {
      check(names.some((n) => n.includes(`${className} × my-laplace`)), `no test ran for ${className} × my-laplace`);
    }
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
