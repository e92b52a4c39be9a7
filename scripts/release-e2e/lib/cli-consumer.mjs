// The fourth consumer: a fresh project installs @vaekit/cli alone with plain npm and uses the `vaekit`
// command on a CSV file of its own, the way the CLI README tells a user to, up to exporting the model
// for plain TensorFlow.js.
import fs from 'node:fs';
import path from 'node:path';

import { writeCsv } from './consumer-data.mjs';
import { checkInstalled, consumerProject } from './consumers.mjs';
import { check, INSTALL_TFJS_NODE, npmCommand, npxCommand, readJson, run, runApart } from './context.mjs';

const LIBRARIES = ['@vaekit/core', '@vaekit/variants', '@vaekit/backends', '@vaekit/data'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Installs @vaekit/cli from `registry` into a fresh project and runs the command checks there.
 * @param {(name: string, body: () => Promise<string | void>) => Promise<void>} step
 * @param {{ registry: string, version: string }} release
 */
export async function cliConsumerSteps(step, { registry, version }) {
  const { dir } = consumerProject('use-cli', registry);
  await step('consumer 4: npm install @vaekit/cli', async () => {
    await run(npmCommand, ['install', '--no-audit', '--no-fund', '@vaekit/cli'], { cwd: dir, label: 'npm-install-use-cli' });
    await checkInstalled(dir, ['@vaekit/cli', ...LIBRARIES], version);
    check(fs.existsSync(path.join(dir, 'node_modules', '.bin', 'vaekit')), 'npm linked no node_modules/.bin/vaekit');
    // An optional peer: npm must not have installed it, or its install script would have run.
    check(!fs.existsSync(path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node')), '@tensorflow/tfjs-node was installed with the CLI');
    return dir;
  });

  await step('consumer 4: without tfjs-node, npx vaekit-native-setup (from the CLI\'s @vaekit/backends) exits 1 with the install command', async () => {
    const output = await run(npxCommand, ['--no', 'vaekit-native-setup'], { cwd: dir, label: 'cli-native-setup-without-tfjs-node', expectCode: 1 });
    check(output.includes(INSTALL_TFJS_NODE), `vaekit-native-setup did not name \`${INSTALL_TFJS_NODE}\`:\n${output}`);
  });

  // `npx --no` runs only the installed command; plain npx would fetch another package named vaekit. After
  // `--` every argument is the command's: without it npx answers `--version` itself.
  const vaekit = (args, label, options = {}) =>
    runApart(npxCommand, ['--no', '--', 'vaekit', ...args], { cwd: dir, label: `vaekit-${label}`, ...options });
  await vaekitChecks(step, { dir, vaekit, version, backend: 'wasm', nativeInstalled: false, prefix: 'consumer 4: ' });
  await exportChecks(step, { dir, vaekit, prefix: 'consumer 4: ' });
}

/**
 * What a user does with the command, each step checking the files and output it leaves: backends, train
 * on a CSV file, eval (JSON, and the table with progress on stderr), sample. `vaekit(args, label)` runs
 * the command in `dir` and returns its stdout and stderr; `backend` is the one `auto` must pick there;
 * without tfjs-node (`nativeInstalled` false) `backends` must say how to get native.
 */
export async function vaekitChecks(step, { dir, vaekit, version, backend, nativeInstalled, prefix = '' }) {
  await step(`${prefix}npx vaekit --version, npx vaekit backends --json`, async () => {
    const { stdout: printed } = await vaekit(['--version'], 'version');
    check(printed.trim() === version, `vaekit --version printed ${JSON.stringify(printed.trim())}, expected ${version}`);
    const { stdout } = await vaekit(['backends', '--json'], 'backends');
    const backends = JSON.parse(stdout);
    const byName = Object.fromEntries(backends.map((b) => [b.name, b]));
    for (const name of ['wasm', 'cpu']) check(byName[name]?.info, `vaekit backends says ${name} is unavailable: ${byName[name]?.reason}`);
    if (!nativeInstalled) {
      check(!byName.native?.info, 'vaekit backends lists native as available without tfjs-node');
      check(/vaekit-native-setup/.test(byName.native?.reason ?? ''), `native's reason does not say how to get it: ${byName.native?.reason}`);
    }
    return backends.map((b) => `${b.name} ${b.info ? 'yes' : 'no'}`).join(', ');
  });

  const csv = path.join(dir, 'grey.csv');
  const { rows, columns } = writeCsv(csv);
  const out = path.join(dir, 'runs', 'grey');
  const epochs = 3;
  const heldOut = Math.round(rows / 10);
  await step(`${prefix}npx vaekit train on the consumer's own CSV (${rows} rows of ${columns} values in [0, 1], Gaussian likelihood)`, async () => {
    fs.rmSync(out, { recursive: true, force: true });
    const args = ['train', '--data', csv, '--likelihood', 'gaussian', '--epochs', String(epochs), '--batch-size', '30'];
    await vaekit([...args, '--hidden', '32', '--latent-dim', '2', '--out', out], 'train', { timeoutMs: 600_000 });
    for (const file of ['model.vaekit', 'checkpoint.vaekit', 'config.json', 'metrics.jsonl']) {
      check(fs.existsSync(path.join(out, file)) && fs.statSync(path.join(out, file)).size > 0, `the run folder has no ${file}`);
    }
    for (const picture of ['samples.png', 'reconstructions.png']) checkPng(path.join(out, picture));
    const config = readJson(path.join(out, 'config.json'));
    check(JSON.stringify(config.data?.exampleShape) === `[${columns}]`, `config.json's data.exampleShape is ${JSON.stringify(config.data?.exampleShape)}`);
    check(config.data?.trainExamples === rows - heldOut, `config.json says ${config.data?.trainExamples} training rows, expected ${rows - heldOut}`);
    check(JSON.stringify(config).includes('"gaussian"'), 'config.json does not record the gaussian likelihood');
    const lines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    check(lines.length === epochs, `metrics.jsonl has ${lines.length} lines for ${epochs} epochs`);
    const figures = lines.flatMap((line) => numbersIn(JSON.parse(line)));
    check(figures.length > 0 && figures.every(Number.isFinite), `metrics.jsonl holds a non-finite figure: ${lines.join(' | ')}`);
    return `${fs.readdirSync(out).sort().join(', ')}`;
  });

  await step(`${prefix}npx vaekit eval --run (JSON; then the table, with its progress on stderr only)`, async () => {
    const { stdout } = await vaekit(['eval', '--run', out, '--k', '50', '--json'], 'eval-json');
    const result = JSON.parse(stdout);
    check(result.backend === backend, `eval ran on ${result.backend}, expected ${backend}`);
    check(result.examples === heldOut, `eval measured ${result.examples} examples, expected the ${heldOut} held-out rows`);
    check(result.likelihood?.type === 'gaussian', `eval reports likelihood ${JSON.stringify(result.likelihood)}`);
    check([result.elbo, result.reconstruction, result.kl].every(Number.isFinite), `eval's ELBO terms are not finite: ${stdout}`);
    check(result.iwae?.k === 50 && Number.isFinite(result.iwae.nll), `eval's IWAE estimate is missing or not finite: ${JSON.stringify(result.iwae)}`);
    // The importance-weighted bound is tighter than the ELBO: its NLL is lower, up to sampling noise.
    check(result.iwae.nll <= -result.elbo + 1, `IWAE NLL ${result.iwae.nll} is above -ELBO ${-result.elbo}`);

    // Batches of 5 make 6 progress updates; piped, each crossing of a tenth is one plain line.
    const table = await vaekit(['eval', '--run', out, '--k', '50', '--batch-size', '5'], 'eval-table');
    check(/IWAE NLL \(k=50\)/.test(table.stdout), `eval's table has no IWAE line:\n${table.stdout}`);
    check(!/evaluating/.test(table.stdout), `eval's progress went to stdout:\n${table.stdout}`);
    const progress = table.stderr.split('\n').filter((l) => /^evaluating \(k=50\) \d+\/\d+/.test(l));
    check(progress.length >= 2 && progress.at(-1).startsWith(`evaluating (k=50) ${heldOut}/${heldOut}`), `eval's progress on stderr:\n${table.stderr}`);
    return `ELBO ${result.elbo.toFixed(2)}, IWAE NLL ${result.iwae.nll.toFixed(2)} nats over ${result.examples} rows; ${progress.length} progress lines`;
  });

  await step(`${prefix}npx vaekit sample (a PNG grid, the same bytes for the same seed)`, async () => {
    const files = ['a.png', 'b.png', 'c.png'].map((f) => path.join(dir, f));
    const seeds = ['3', '3', '4'];
    for (const [i, file] of files.entries()) {
      await vaekit(['sample', '--model-file', path.join(out, 'model.vaekit'), '--out', file, '--n', '16', '--seed', seeds[i]], `sample-${i}`);
    }
    const [width, height] = checkPng(files[0]);
    const bytes = files.map((f) => fs.readFileSync(f));
    check(bytes[0].equals(bytes[1]), 'two samples with --seed 3 differ');
    check(!bytes[0].equals(bytes[2]), 'samples with --seed 3 and --seed 4 are the same');
    return `${width}x${height} PNG`;
  });
}

/**
 * `vaekit export` of the trained run, then its decoder loaded by plain TensorFlow.js in a process that
 * imports nothing of vaekit, against vaekit's own `decodeMean` of the same codes.
 */
export async function exportChecks(step, { dir, vaekit, prefix = '' }) {
  const model = path.join(dir, 'runs', 'grey', 'model.vaekit');
  const exported = path.join(dir, 'exported');
  await step(`${prefix}npx vaekit export; plain tfjs loads the decoder and matches vaekit's decodeMean`, async () => {
    fs.rmSync(exported, { recursive: true, force: true });
    await vaekit(['export', '--model-file', model, '--out', exported], 'export');
    const manifests = fs.readdirSync(exported, { recursive: true }).filter((f) => path.basename(f) === 'model.json');
    const decoder = manifests.find((f) => /decoder/.test(f));
    check(decoder !== undefined && manifests.some((f) => /encoder/.test(f)), `vaekit export wrote no encoder and decoder model.json: ${manifests.join(', ') || 'none'}`);
    const codes = path.join(dir, 'codes.json');
    fs.writeFileSync(codes, JSON.stringify([[0, 0], [1, -1], [-2, 0.5], [0.25, 2], [-1, -1]]));
    const decode = async (script, from) => {
      const output = await run(process.execPath, [script, from, codes], { cwd: dir, label: path.basename(script, '.mjs') });
      return JSON.parse(output.trim().split('\n').at(-1));
    };
    const plain = await decode('plain-decode.mjs', path.join(exported, path.dirname(decoder)));
    const own = await decode('vaekit-decode.mjs', model);
    check(JSON.stringify(plain.shape) === JSON.stringify(own.shape), `the exported decoder gives shape ${plain.shape}, decodeMean ${own.shape}`);
    const worst = Math.max(...plain.values.map((v, i) => Math.abs(v - own.values[i])));
    check(worst <= 1e-5, `the exported decoder differs from decodeMean by up to ${worst}`);
    return `${manifests.join(', ')}; decoder output ${plain.shape.join('x')}, largest difference ${worst.toExponential(1)}`;
  });
}

/** Checks `file` is a PNG with a non-empty picture; returns its width and height. */
function checkPng(file) {
  check(fs.existsSync(file), `${path.basename(file)} was not written`);
  const bytes = fs.readFileSync(file);
  check(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${path.basename(file)} is not a PNG`);
  const size = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  check(size[0] > 0 && size[1] > 0, `${path.basename(file)} is ${size.join('x')}`);
  return size;
}

/** Every number in a JSON value. */
function numbersIn(value) {
  if (typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}
