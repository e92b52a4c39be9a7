#!/usr/bin/env node
// `pnpm bench [--quick]`: W1 and W2 on every backend (Node: native eager, compiled and XLA, wasm with and
// without vaekit's matMul fix, cpu; Chromium: webgl, webgpu, wasm) and in PyTorch and TensorFlow, alternating
// implementations round by round; then every registered variant's default config on every backend (on
// native with each compile setting). Writes results/results.json, results/results.md and
// results/chart.png, and prints the Markdown.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openBrowser, type BrowserSession } from './browser.js';
import { renderChart } from './chart.js';
import { fmt } from './format.js';
import { loadLine, markdown, type LoadInfo } from './markdown.js';
import { measureW1, runVariantSweeps, type Runtime } from './measure.js';
import { clusterPlans } from './distributed/plan.js';
import { measureClusters } from './distributed/measure.js';
import { clusterRows, distributedMarkdown, type ClusterRow } from './distributed/report.js';
import { knownIds, selectDistributed, selectPlans, selectVariantPlans, variantPlans } from './plans.js';
import { chartSpec, w1Rows, type VariantCollected, type W1Collected } from './report.js';
import { ensurePythonEnv, type PythonEnv } from './runners.js';
import { perSecond, summarizeRounds } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));

interface Options {
  quick: boolean;
  rounds: number;
  python: boolean;
  browser: boolean;
  variants: boolean;
  distributed: boolean;
  out: string;
  only: string[] | null;
  reportOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    quick: false,
    rounds: 0,
    python: true,
    browser: true,
    variants: true,
    distributed: true,
    out: resolve(HERE, '..', 'results'),
    only: null,
    reportOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--') continue;
    else if (arg === '--quick') opts.quick = true;
    else if (arg === '--rounds') opts.rounds = Number(value());
    else if (arg === '--no-python') opts.python = false;
    else if (arg === '--no-browser') opts.browser = false;
    else if (arg === '--no-variants') opts.variants = false;
    else if (arg === '--no-distributed') opts.distributed = false;
    else if (arg === '--report-only') opts.reportOnly = true;
    else if (arg === '--out') opts.out = resolve(value());
    else if (arg === '--only') opts.only = value().split(',');
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: vaekit-bench [--quick] [--rounds N] [--only native-compiled,tensorflow,...] [--no-python] [--no-browser] [--no-variants] [--no-distributed] [--out DIR] [--report-only]\n' +
          `implementations: ${knownIds().join(', ')} (native = native-compiled; native-xla brings tensorflow-xla)`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  if (!opts.rounds) opts.rounds = opts.quick ? 1 : 3;
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`--rounds needs a whole number >= 1`);
  return opts;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const triple = (l: readonly number[]): string => l.map((x) => x.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.reportOnly) return reportOnly(opts);
  const started = Date.now();
  const loadBefore = loadavg();
  const selection = selectPlans(opts.quick, opts);
  let selected = selection.plans;
  for (const a of selection.added) log(`also measuring ${a.id}: ${a.because}`);
  log(`vaekit bench${opts.quick ? ' --quick' : ''}: ${selected.map((p) => p.id).join(', ')}; ${opts.rounds} round(s), implementations alternate`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; load average ${triple(loadBefore)}`);

  let python: PythonEnv | null = null;
  if (selected.some((p) => p.env === 'python')) {
    try {
      python = ensurePythonEnv(log);
      log(`python references: torch ${python.torch}, tensorflow ${python.tensorflow} in ${python.venv}`);
    } catch (err) {
      log(`python references skipped: ${String(err instanceof Error ? err.message : err)}`);
      selected = selected.filter((p) => p.env !== 'python');
    }
  }
  const sweeps = opts.variants ? selectVariantPlans(opts.quick, opts.rounds, opts.only) : [];
  let browser: BrowserSession | null = null;
  if (opts.browser && (selected.some((p) => p.env === 'chromium') || sweeps.some((v) => v.env === 'chromium'))) {
    try {
      browser = await openBrowser(log);
    } catch (err) {
      log(`Chromium part skipped: ${String(err instanceof Error ? err.message : err)}`);
      selected = selected.filter((p) => p.env !== 'chromium');
    }
  }
  const rt: Runtime = { python, browser, log };

  const collected = new Map<string, W1Collected>();
  for (const plan of selected) {
    collected.set(plan.id, {
      impl: { id: plan.id, label: plan.label, env: plan.env, runtime: '' },
      paths: {},
      encodeRounds: [],
      maxRssBytes: null,
      errors: [],
    });
  }

  try {
    // ---- W1 + W2, implementations alternating: each round starts one later in the list.
    const perRound: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      perRound.push(loadavg()[0]!);
      const order = selected.map((_, i) => selected[(i + round) % selected.length]!);
      for (const plan of order) {
        const entry = collected.get(plan.id)!;
        const t0 = Date.now();
        try {
          await measureW1(plan, round, entry, rt);
          const main = Object.entries(entry.paths)[0];
          const last = main?.[1].rounds[main[1].rounds.length - 1] ?? [];
          log(`round ${round + 1}/${opts.rounds} ${plan.id}: ${fmt(summarizeRounds([last]).median)} ms/step (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        } catch (err) {
          const message = String(err instanceof Error ? err.message : err);
          entry.errors.push(message);
          log(`round ${round + 1}/${opts.rounds} ${plan.id}: FAILED ${message}`);
        }
      }
    }

    // ---- Every registered variant, default config, on every backend (native: each compile setting).
    const variantImpls = sweeps.filter((v) => v.env !== 'chromium' || browser !== null);
    const variants = await runVariantSweeps(variantImpls, rt);

    // ---- Data parallelism: local clusters of 1-3 workers, and the compute points of the scaling estimate.
    const clusters = selectDistributed(opts) ? clusterRows(await measureClusters(clusterPlans(opts.quick), opts.rounds, log)) : [];

    // ---- Report.
    const loadAfter = loadavg();
    const all = [...collected.values()].filter((c) => Object.keys(c.paths).length > 0);
    const variantList = [...variants.values()].sort((a, b) => a.className.localeCompare(b.className));
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const load: LoadInfo = { cpus: cpus().length, before: loadBefore, after: loadAfter, perRound };
    const rows = writeReport(opts, { quick: opts.quick, rounds: opts.rounds, all, variants: variantList, variantImpls, load, minutes, clusters });
    writeFileSync(
      join(opts.out, 'results.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          quick: opts.quick,
          rounds: opts.rounds,
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, loadBefore, loadAfter, loadPerRound: perRound, node: process.version },
          python: python ? { torch: python.torch, tensorflow: python.tensorflow, venv: python.venv } : null,
          chromium: browser?.version ?? null,
          w1: rows.map((r) => ({ ...r, stepsPerSecond: perSecond(r.step.median) })),
          w1Raw: all,
          variants: variantList,
          distributed: clusters,
        },
        (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      )}\n`,
    );
    log(`wrote ${join(opts.out, 'results.json')}, results.md and chart.png in ${minutes} min`);
  } finally {
    await browser?.close();
  }
}

/** Writes results.md and chart.png, prints the Markdown, and returns the W1 rows. */
function writeReport(
  opts: Options,
  data: {
    quick: boolean;
    rounds: number;
    all: W1Collected[];
    variants: VariantCollected[];
    variantImpls: Array<{ id: string; label: string }>;
    load: LoadInfo;
    minutes: string;
    clusters: readonly ClusterRow[];
  },
): ReturnType<typeof w1Rows> {
  const rows = w1Rows(data.all);
  // `--only distributed` measures no W1 row and no variant: its report is the distributed section alone.
  const measuredW1 = rows.length > 0 || data.variants.length > 0;
  const sections = [...(measuredW1 ? [markdown({ ...data, rows })] : [loadLine(data.load)]), ...(data.clusters.length ? [distributedMarkdown(data.clusters)] : [])];
  const md = sections.join('\n\n');
  const { load } = data;
  const subtitle = `${data.quick ? 'QUICK; ' : ''}MEDIAN OF ${data.rounds} ALTERNATING ROUND(S); ${load.cpus} CPUS; LOAD AVG ${load.before[0]!.toFixed(1)} BEFORE, ${load.after[0]!.toFixed(1)} AFTER`;
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'results.md'), md);
  writeFileSync(join(opts.out, 'chart.png'), renderChart(chartSpec(rows, data.variants, data.variantImpls, subtitle)));
  process.stdout.write(`${md}\n`);
  return rows;
}

/** `--report-only`: re-renders results.md and chart.png from an earlier run's results.json, measuring nothing. */
function reportOnly(opts: Options): void {
  const path = join(opts.out, 'results.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as {
    quick: boolean;
    rounds: number;
    machine: { cpus: number; loadBefore: number[]; loadAfter: number[]; loadPerRound?: number[] };
    w1Raw: W1Collected[];
    variants: VariantCollected[];
    distributed?: ClusterRow[];
  };
  const m = saved.machine;
  const variantImpls = variantPlans(saved.quick, saved.rounds).filter((v) => saved.variants.some((x) => x.byImpl[v.id]));
  writeReport(opts, {
    quick: saved.quick,
    rounds: saved.rounds,
    all: saved.w1Raw,
    variants: saved.variants,
    variantImpls,
    load: { cpus: m.cpus, before: m.loadBefore, after: m.loadAfter, ...(m.loadPerRound ? { perRound: m.loadPerRound } : {}) },
    minutes: '(re-rendered)',
    clusters: saved.distributed ?? [],
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`vaekit bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
