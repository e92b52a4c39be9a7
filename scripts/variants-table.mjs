#!/usr/bin/env node
// Trains every variant on full MNIST (dynamically binarized, official split) with one recipe: the same
// epochs, batch size, learning rate and KL warm-up, the VAE's encoder/decoder widths (MLP 512, 512) and
// each variant's own defaults for the rest. Evaluates each on the whole test split and prints the
// Markdown table of docs/results.md. Each row is one `vaekit train` and one `vaekit eval`, printed as it
// runs so it can be repeated by hand.
//
// With --seeds, every row is trained once per seed and a second table gives each seed's NLL and the
// mean ± sd: models this close are not ordered by one seed.
//
//   node scripts/variants-table.mjs [--epochs 10] [--k 1000] [--limit N] [--backend native]
//                                   [--warmup 1000] [--jobs 1] [--out runs/table] [--only Vae,IafVae]
//                                   [--seeds 0,1,2,3,4] [--batch-norm] [--resume]
//
// --resume continues each row from the checkpoint in its folder (`vaekit train --resume`) up to --epochs
// instead of training from scratch: the loop resumes exactly (same batches, optimizer state and warm-up
// step), so a 30-epoch table can extend a 10-epoch one. The table still records the from-scratch command
// the result equals.
//
// --batch-norm sets batchNorm=true on every row with a continuous latent space (all but VQ-VAE), so each
// row's inference network is normalized alike.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    k: { type: 'string', default: '1000' },
    limit: { type: 'string' },
    backend: { type: 'string', default: 'native' },
    warmup: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '1' },
    out: { type: 'string', default: 'runs/table' },
    only: { type: 'string' },
    seeds: { type: 'string', default: '0' },
    'batch-norm': { type: 'boolean', default: false },
    resume: { type: 'boolean', default: false },
  },
});

// β-VAE appears at β = 4 so its KL/reconstruction trade-off shows against the VAE's β = 1. The last row
// is a control: the plain VAE with as many units as the ladder's bottom layer, to tell the ladder's
// hierarchy apart from its wider code.
const ALL_ROWS = [
  { id: 'Vae', name: 'Vae', args: ['--model', 'Vae'] },
  { id: 'BetaVae-beta4', name: 'BetaVae (β=4)', args: ['--model', 'BetaVae', '--beta', '4'] },
  { id: 'LadderVae', name: 'LadderVae', args: ['--model', 'LadderVae'] },
  { id: 'PlanarFlowVae', name: 'PlanarFlowVae', args: ['--model', 'PlanarFlowVae'] },
  { id: 'IafVae', name: 'IafVae', args: ['--model', 'IafVae'] },
  { id: 'LadderIafVae', name: 'LadderIafVae', args: ['--model', 'LadderIafVae'] },
  { id: 'VqVae', name: 'VqVae', args: ['--model', 'VqVae'], discrete: true },
  { id: 'VAE-latent64', name: 'VAE, 64 latent units (control)', args: ['--model', 'Vae', '--latent-dim', '64'] },
];
const ROW_ORDER = ALL_ROWS.map((row) => row.id);
const ROWS = ALL_ROWS.filter((row) => !values.only || values.only.split(',').includes(row.id));

const seeds = values.seeds.split(',').map(Number);
if (seeds.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`--seeds must list whole numbers >= 0, got ${values.seeds}`);
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a whole number >= 1, got ${values.jobs}`);
const cli = join('apps', 'cli', 'dist', 'bin.js');
if (!existsSync(cli)) throw new Error(`build first (pnpm build): ${cli} is missing`);
mkdirSync(values.out, { recursive: true });

function run(args, capture) {
  console.error(`$ vaekit ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    // A run's progress goes to its log file when rows run side by side, so the terminal stays readable.
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (jobs === 1) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`vaekit ${args[0]} failed with exit code ${code}:\n${stderr.split('\n').slice(-15).join('\n')}`));
    });
  });
}

// Rows from an earlier run in the same folder stay, so one model can be redone alone with --only.
const tablePath = join(values.out, 'table.json');
const results = existsSync(tablePath) ? JSON.parse(readFileSync(tablePath, 'utf8')) : [];
const record = (entry) => {
  const at = results.findIndex((r) => r.row.id === entry.row.id && (r.seed ?? 0) === entry.seed);
  if (at >= 0) results[at] = entry;
  else results.push(entry);
  results.sort((a, b) => ROW_ORDER.indexOf(a.row.id) - ROW_ORDER.indexOf(b.row.id) || (a.seed ?? 0) - (b.seed ?? 0));
  writeFileSync(tablePath, JSON.stringify(results, null, 2));
};

/** The last epoch a run folder's metrics record, 0 when there are none. */
function epochsDone(dir) {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean);
  return lines.length ? JSON.parse(lines[lines.length - 1]).epoch : 0;
}

async function runRow({ row, seed }) {
  const dir = join(values.out, seed === 0 ? row.id : `${row.id}-seed${seed}`);
  const normalize = values['batch-norm'] && !row.discrete ? ['--set', 'batchNorm=true'] : [];
  const trainArgs = ['train', ...row.args, ...normalize, '--epochs', values.epochs, '--kl-warmup', values.warmup, '--seed', String(seed), '--backend', values.backend, '--out', dir, '--force'];
  const resuming = values.resume && existsSync(join(dir, 'checkpoint.vaekit'));
  const resumeArgs = ['train', '--out', dir, '--resume', '--epochs', values.epochs, '--backend', values.backend];
  // A row already trained to --epochs (an interrupted table run) is only evaluated again.
  const done = resuming && epochsDone(dir) >= Number(values.epochs);
  const started = Date.now();
  const trained = done ? { stderr: readFileSync(join(dir, 'train.log'), 'utf8') } : await run(resuming ? resumeArgs : trainArgs, false);
  const previous = results.find((r) => r.row.id === row.id && (r.seed ?? 0) === seed);
  const trainSeconds = done ? (previous?.trainSeconds ?? Number.NaN) : (Date.now() - started) / 1000;
  const evalArgs = ['eval', '--model-file', join(dir, 'model.vaekit'), '--k', values.k, '--backend', values.backend, '--json'];
  if (values.limit) evalArgs.push('--limit', values.limit);
  const evaluated = await run(evalArgs, true);
  // A resumed row's log holds only the epochs it added; keep the earlier logs beside it.
  const logPath = join(dir, 'train.log');
  if (resuming && !done && existsSync(logPath)) writeFileSync(join(dir, `train.before-${values.epochs}.log`), readFileSync(logPath));
  writeFileSync(logPath, trained.stderr);
  const evaluation = JSON.parse(evaluated.stdout);
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(evaluation, null, 2));
  record({
    row,
    seed,
    commands: [trainArgs, evalArgs].map((a) => `vaekit ${a.join(' ')}`),
    ...(resuming ? { resumedWith: `vaekit ${resumeArgs.join(' ')}` } : {}),
    evaluation,
    trainSeconds,
    jobs,
  });
  const r = evaluation.result ?? evaluation;
  console.error(`${row.name}, seed ${seed}: test IWAE NLL ${r.iwae?.nll?.toFixed(2)} (k=${values.k}), ${done ? 'already trained' : `trained in ${Math.round(trainSeconds)} s`}`);
}

const queue = ROWS.flatMap((row) => seeds.map((seed) => ({ row, seed })));
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let row = queue.shift(); row; row = queue.shift()) await runRow(row);
  }),
);

const fmt = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-');
const lines = [
  `| model | test IWAE NLL (k=${values.k}) | ELBO | reconstruction | KL | active units | perplexity | train time |`,
  '|---|--:|--:|--:|--:|--:|--:|--:|',
];
const nll = (entry) => (entry.evaluation.result ?? entry.evaluation).iwae?.nll;
for (const { row, evaluation: e, trainSeconds } of results.filter((entry) => (entry.seed ?? 0) === seeds[0])) {
  const r = e.result ?? e;
  const units = r.activeUnits ? `${r.activeUnits.count}/${r.activeUnits.total}${r.activeUnits.criterion === 'kl' ? '' : ' †'}` : '-';
  lines.push(
    `| ${row.name} | ${fmt(r.iwae?.nll)} | ${fmt(r.elbo)} | ${fmt(r.reconstruction)} | ${fmt(r.kl)} | ${units} | ${fmt(r.metrics?.perplexity, 1)} | ${Number.isFinite(trainSeconds) ? `${Math.round(trainSeconds)} s` : '-'} |`,
  );
}
// Each seed's NLL and the mean ± sample sd, for rows trained with more than one seed.
const allSeeds = [...new Set(results.map((entry) => entry.seed ?? 0))].sort((a, b) => a - b);
if (allSeeds.length > 1) {
  lines.push('', `| model | ${allSeeds.map((v) => `seed ${v}`).join(' | ')} | mean ± sd |`, `|---|${allSeeds.map(() => '--:|').join('')}--:|`);
  for (const id of ROW_ORDER) {
    const entries = results.filter((entry) => entry.row.id === id);
    if (entries.length < 2) continue;
    const byValue = allSeeds.map((v) => entries.find((entry) => (entry.seed ?? 0) === v));
    const got = entries.map(nll).filter((v) => typeof v === 'number');
    const mean = got.reduce((a, b) => a + b, 0) / got.length;
    const sd = Math.sqrt(got.reduce((a, b) => a + (b - mean) ** 2, 0) / (got.length - 1));
    lines.push(`| ${entries[0].row.name} | ${byValue.map((entry) => (entry ? fmt(nll(entry)) : '-')).join(' | ')} | ${fmt(mean)} ± ${fmt(sd)} |`);
  }
}
const table = lines.join('\n');
writeFileSync(join(values.out, 'table.md'), table + '\n');
console.log(table);
console.log(
  `\n${values.epochs} epoch(s) each on ${values.backend}, KL warm-up over ${values.warmup} steps, ` +
    `${values['batch-norm'] ? 'batch normalization in every continuous-latent encoder, ' : ''}${jobs} run(s) at a time; ` +
    `MNIST test split${values.limit ? `, first ${values.limit} examples` : ' (all 10,000)'}. ` +
    `† flows: variance of the posterior mean > 0.01 (their KL does not split per dimension). ` +
    `${results.some((entry) => entry.resumedWith) ? 'Resumed rows: train time counts only the epochs added. ' : ''}Details in ${tablePath}`,
);
