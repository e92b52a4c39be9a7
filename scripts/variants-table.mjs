#!/usr/bin/env node
// Trains every variant on full MNIST (dynamically binarized, official split) with the same epochs and
// the CLI's default widths, evaluates each on the test split, and prints the README's Markdown table.
// Each row is one `vaekit train` and one `vaekit eval` command, printed as it runs so it can be repeated.
//
//   node scripts/variants-table.mjs [--epochs 10] [--k 1000] [--limit N] [--backend native] [--out runs/table]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    k: { type: 'string', default: '1000' },
    limit: { type: 'string' },
    backend: { type: 'string', default: 'native' },
    out: { type: 'string', default: 'runs/table' },
    only: { type: 'string' },
  },
});

// One row per setting; β-VAE appears at β = 4 so its KL/reconstruction trade-off shows against β = 1.
const ROWS = [
  { name: 'VAE', args: ['--model', 'VAE'] },
  { name: 'BetaVAE (β=4)', args: ['--model', 'BetaVAE', '--beta', '4'] },
  // The ladder's default decoder has one hidden layer; --hidden 512,512 gives it the VAE's decoder widths,
  // and KL warm-up over the first ~2 epochs is how Sønderby et al. train it.
  { name: 'LadderVAE', args: ['--model', 'LadderVAE', '--hidden', '512,512', '--kl-warmup', '1000'] },
  { name: 'PlanarFlowVAE', args: ['--model', 'PlanarFlowVAE'] },
  { name: 'IAFVAE', args: ['--model', 'IAFVAE'] },
  { name: 'VQVAE', args: ['--model', 'VQVAE'] },
].filter((row) => !values.only || values.only.split(',').includes(row.args[1]));

const cli = join('apps', 'cli', 'dist', 'bin.js');
mkdirSync(values.out, { recursive: true });

function run(args, capture) {
  console.error(`$ vaekit ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], {
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vaekit ${args[0]} failed with exit code ${result.status}`);
  return result.stdout;
}

// Rows from an earlier run in the same folder stay, so one model can be redone alone with --only.
const tablePath = join(values.out, 'table.json');
const results = existsSync(tablePath) ? JSON.parse(readFileSync(tablePath, 'utf8')) : [];
const record = (entry) => {
  const at = results.findIndex((r) => r.row.name === entry.row.name);
  if (at >= 0) results[at] = entry;
  else results.push(entry);
  writeFileSync(tablePath, JSON.stringify(results, null, 2));
};
for (const row of ROWS) {
  const dir = join(values.out, row.args[1] + (row.name.includes('β=') ? '-beta4' : ''));
  const started = Date.now();
  run(['train', ...row.args, '--epochs', values.epochs, '--backend', values.backend, '--out', dir, '--force'], false);
  const trainSeconds = (Date.now() - started) / 1000;
  const evalArgs = ['eval', '--model-file', join(dir, 'model.vaekit'), '--k', values.k, '--backend', values.backend, '--json'];
  if (values.limit) evalArgs.push('--limit', values.limit);
  const evaluation = JSON.parse(run(evalArgs, true));
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(evaluation, null, 2));
  record({ row, evaluation, trainSeconds });
}

const fmt = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-');
const lines = [
  `| model | test IWAE NLL (k=${values.k}) | ELBO | reconstruction | KL | active units | perplexity | train time |`,
  '|---|---|---|---|---|---|---|---|',
];
for (const { row, evaluation: e, trainSeconds } of results) {
  const r = e.result ?? e;
  const units = r.activeUnits ? `${r.activeUnits.count}/${r.activeUnits.total}` : '-';
  lines.push(
    `| ${row.name} | ${fmt(r.iwae?.nll)} | ${fmt(r.elbo)} | ${fmt(r.reconstruction)} | ${fmt(r.kl)} | ${units} | ${fmt(r.metrics?.perplexity, 1)} | ${Math.round(trainSeconds)} s |`,
  );
}
const table = lines.join('\n');
writeFileSync(join(values.out, 'table.md'), table + '\n');
console.log(table);
console.log(
  `\n${values.epochs} epochs each on ${values.backend}; MNIST test split${values.limit ? `, first ${values.limit} examples` : ''}; ` +
    `details in ${tablePath}`,
);
