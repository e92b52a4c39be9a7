#!/usr/bin/env node
// `pnpm bench [--quick]`: W1 and W2 on every backend (Node: native, wasm with and without vaekit's matMul fix,
// cpu; Chromium: webgl, wasm) and in PyTorch and TensorFlow, alternating implementations round by round;
// then every registered variant's default config on every backend. Writes results/results.json,
// results/results.md and results/chart.png, and prints the Markdown.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openBrowser, type BrowserSession } from './browser.js';
import { renderChart } from './chart.js';
import { fmt, fmtRatio } from './format.js';
import { chartSpec, kernelTable, variantTable, w1Rows, w1Table, type ImplInfo, type VariantCollected, type W1Collected } from './report.js';
import { ensurePythonEnv, runNodeTask, runPython, type PythonEnv } from './runners.js';
import { perSecond, speedRatio, summarizeRounds } from './stats.js';
import type { TaskResult, TfjsBackend, VariantsTaskResult, W1Task, W1TaskResult } from './task.js';
import type { W1Path } from './workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));

interface Options {
  quick: boolean;
  rounds: number;
  python: boolean;
  browser: boolean;
  variants: boolean;
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
    else if (arg === '--report-only') opts.reportOnly = true;
    else if (arg === '--out') opts.out = resolve(value());
    else if (arg === '--only') opts.only = value().split(',');
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: vaekit-bench [--quick] [--rounds N] [--only native,wasm,...] [--no-python] [--no-browser] [--no-variants] [--out DIR] [--report-only]\n' +
          'implementations: native, wasm, wasm-stock, cpu, chromium-webgl, chromium-wasm, pytorch, tensorflow, tensorflow-xla',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  if (!opts.rounds) opts.rounds = opts.quick ? 1 : 3;
  return opts;
}

/** What one implementation runs per round: steps, warm-up and a time budget per W1 path. */
interface Plan {
  id: string;
  label: string;
  env: ImplInfo['env'];
  backend?: TfjsBackend;
  stockWasm?: boolean;
  paths: W1Path[];
  steps: number;
  warmup: number;
  encodeRepeats: number;
  budgetMs?: number;
  script?: string;
  scriptArgs?: string[];
}

function plans(quick: boolean): Plan[] {
  const q = <T>(full: T, short: T): T => (quick ? short : full);
  const all: W1Path[] = ['trainer', 'raw', 'raw-lean'];
  return [
    { id: 'native', label: 'tfjs native (Node)', env: 'node', backend: 'native', paths: all, steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 2000) },
    { id: 'wasm', label: 'tfjs wasm (Node)', env: 'node', backend: 'wasm', paths: all, steps: q(30, 8), warmup: q(4, 2), encodeRepeats: q(10, 4), budgetMs: q(5000, 1500) },
    {
      id: 'wasm-stock',
      label: 'tfjs wasm stock matMul (Node)',
      env: 'node',
      backend: 'wasm',
      stockWasm: true,
      paths: q<W1Path[]>(['trainer', 'raw'], ['trainer']),
      steps: q(8, 3),
      warmup: q(2, 1),
      encodeRepeats: q(5, 3),
      budgetMs: q(5000, 1500),
    },
    { id: 'cpu', label: 'tfjs cpu (Node)', env: 'node', backend: 'cpu', paths: ['trainer'], steps: q(3, 1), warmup: 1, encodeRepeats: 1, budgetMs: q(3000, 1000) },
    { id: 'chromium-webgl', label: 'tfjs webgl (Chromium)', env: 'chromium', backend: 'webgl', paths: ['trainer'], steps: q(4, 2), warmup: 1, encodeRepeats: q(2, 1), budgetMs: q(5000, 2000) },
    { id: 'chromium-wasm', label: 'tfjs wasm (Chromium)', env: 'chromium', backend: 'wasm', paths: q<W1Path[]>(['trainer', 'raw'], ['trainer']), steps: q(20, 6), warmup: q(3, 2), encodeRepeats: q(8, 3), budgetMs: q(5000, 1500) },
    { id: 'pytorch', label: 'PyTorch CPU (default threads)', env: 'python', paths: [], steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 3000), script: 'w1_torch.py' },
    { id: 'pytorch-1t', label: 'PyTorch CPU (1 thread)', env: 'python', paths: [], steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 3000), script: 'w1_torch.py', scriptArgs: ['--threads', '1'] },
    { id: 'tensorflow', label: 'TensorFlow tf.function', env: 'python', paths: [], steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 3000), script: 'w1_tensorflow.py' },
    ...(quick
      ? []
      : [{ id: 'tensorflow-xla', label: 'TensorFlow tf.function + XLA', env: 'python' as const, paths: [], steps: 50, warmup: 10, encodeRepeats: 20, budgetMs: 8000, script: 'w1_tensorflow.py', scriptArgs: ['--xla'] }]),
  ];
}

/** Variant sweep settings per backend. */
function variantPlans(quick: boolean): Array<{ id: string; label: string; env: 'node' | 'chromium'; backend: TfjsBackend; steps: number; warmup: number; encodeRepeats: number; budgetMs: number }> {
  if (quick) {
    return [
      { id: 'native', label: 'native', env: 'node', backend: 'native', steps: 4, warmup: 2, encodeRepeats: 3, budgetMs: 1000 },
      { id: 'wasm', label: 'wasm', env: 'node', backend: 'wasm', steps: 3, warmup: 1, encodeRepeats: 2, budgetMs: 800 },
    ];
  }
  return [
    { id: 'native', label: 'native', env: 'node', backend: 'native', steps: 15, warmup: 3, encodeRepeats: 8, budgetMs: 3000 },
    { id: 'wasm', label: 'wasm', env: 'node', backend: 'wasm', steps: 8, warmup: 2, encodeRepeats: 4, budgetMs: 2500 },
    { id: 'cpu', label: 'cpu', env: 'node', backend: 'cpu', steps: 1, warmup: 1, encodeRepeats: 1, budgetMs: 1000 },
    { id: 'chromium-webgl', label: 'webgl (Chromium)', env: 'chromium', backend: 'webgl', steps: 2, warmup: 1, encodeRepeats: 1, budgetMs: 2000 },
    { id: 'chromium-wasm', label: 'wasm (Chromium)', env: 'chromium', backend: 'wasm', steps: 6, warmup: 2, encodeRepeats: 3, budgetMs: 2500 },
  ];
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.reportOnly) return reportOnly(opts);
  const started = Date.now();
  const loadBefore = loadavg();
  let selected = plans(opts.quick).filter((p) => !opts.only || opts.only.includes(p.id));
  if (!opts.python) selected = selected.filter((p) => p.env !== 'python');
  if (!opts.browser) selected = selected.filter((p) => p.env !== 'chromium');
  log(`vaekit bench${opts.quick ? ' --quick' : ''}: ${selected.map((p) => p.id).join(', ')}; ${opts.rounds} round(s), implementations alternate`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`);

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
  let browser: BrowserSession | null = null;
  const needsBrowser = selected.some((p) => p.env === 'chromium') || (opts.variants && opts.browser);
  if (needsBrowser) {
    try {
      browser = await openBrowser(log);
    } catch (err) {
      log(`Chromium part skipped: ${String(err instanceof Error ? err.message : err)}`);
      selected = selected.filter((p) => p.env !== 'chromium');
    }
  }

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
    for (let round = 0; round < opts.rounds; round++) {
      const order = selected.map((_, i) => selected[(i + round) % selected.length]!);
      for (const plan of order) {
        const entry = collected.get(plan.id)!;
        const t0 = Date.now();
        try {
          await measureW1(plan, round, entry, python, browser);
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

    // ---- Every registered variant, default config, on every backend.
    const variants = new Map<string, VariantCollected>();
    const variantImpls = opts.variants
      ? variantPlans(opts.quick).filter((v) => (v.env === 'chromium' ? browser !== null : true) && (!opts.only || opts.only.includes(v.id)))
      : [];
    for (const v of variantImpls) {
      const t0 = Date.now();
      try {
        const task = { kind: 'variants' as const, backend: v.backend, steps: v.steps, warmup: v.warmup, encodeRepeats: v.encodeRepeats, budgetMs: v.budgetMs };
        const result = (v.env === 'node'
          ? await runNodeTask(task, { timeoutMs: 30 * 60_000, log })
          : await browser!.run(task, 30 * 60_000, log)) as VariantsTaskResult;
        for (const t of result.variants) {
          const entry = variants.get(t.className) ?? { className: t.className, parameters: t.parameters, byImpl: {} };
          entry.parameters ||= t.parameters;
          entry.byImpl[v.id] = { stepRounds: [t.stepMs], encodeRounds: [t.encodeMs], ...(t.error ? { error: t.error } : {}) };
          variants.set(t.className, entry);
        }
        log(`variants on ${v.id}: ${result.variants.length} variants (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      } catch (err) {
        log(`variants on ${v.id}: FAILED ${String(err instanceof Error ? err.message : err)}`);
      }
    }

    // ---- Report.
    const loadAfter = loadavg();
    const all = [...collected.values()].filter((c) => Object.keys(c.paths).length > 0);
    const rows = w1Rows(all);
    const pytorchMs = bestPyTorchMs(rows);
    const variantList = [...variants.values()].sort((a, b) => a.className.localeCompare(b.className));
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const noise = `load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${loadAfter.map((l) => l.toFixed(1)).join('/')} after, on ${cpus().length} logical cores`;
    const subtitle = `${opts.quick ? 'QUICK; ' : ''}MEDIAN OF ${opts.rounds} ALTERNATING ROUND(S); ${cpus().length} CPUS; LOAD AVG ${loadBefore[0]!.toFixed(1)} BEFORE, ${loadAfter[0]!.toFixed(1)} AFTER`;
    const md = markdown(opts, rows, all, variantList, variantImpls, pytorchMs, noise, minutes);
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, 'results.md'), md);
    writeFileSync(
      join(opts.out, 'results.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          quick: opts.quick,
          rounds: opts.rounds,
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, loadBefore, loadAfter, node: process.version },
          python: python ? { torch: python.torch, tensorflow: python.tensorflow, venv: python.venv } : null,
          chromium: browser?.version ?? null,
          w1: rows.map((r) => ({ ...r, stepsPerSecond: perSecond(r.step.median) })),
          w1Raw: all,
          variants: variantList,
        },
        (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      )}\n`,
    );
    writeFileSync(join(opts.out, 'chart.png'), renderChart(chartSpec(rows, variantList, variantImpls, subtitle)));
    process.stdout.write(`${md}\n`);
    log(`wrote ${join(opts.out, 'results.json')}, results.md and chart.png in ${minutes} min`);
  } finally {
    await browser?.close();
  }
}

/** PyTorch's reference step time: the faster of its thread settings in this run (as in the W1 table). */
function bestPyTorchMs(rows: ReturnType<typeof w1Rows>): number {
  const times = rows.filter((r) => r.impl.id.startsWith('pytorch')).map((r) => r.step.median).filter(Number.isFinite);
  return times.length ? Math.min(...times) : Number.NaN;
}

/** `--report-only`: re-renders results.md and chart.png from an earlier run's results.json, measuring nothing. */
function reportOnly(opts: Options): void {
  const path = join(opts.out, 'results.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as {
    quick: boolean;
    rounds: number;
    machine: { cpus: number; loadBefore: number[]; loadAfter: number[] };
    w1Raw: W1Collected[];
    variants: VariantCollected[];
  };
  const rows = w1Rows(saved.w1Raw);
  const lb = saved.machine.loadBefore;
  const la = saved.machine.loadAfter;
  const noise = `load average ${lb.map((l) => l.toFixed(1)).join('/')} before, ${la.map((l) => l.toFixed(1)).join('/')} after, on ${saved.machine.cpus} logical cores`;
  const variantImpls = variantPlans(saved.quick).filter((v) => saved.variants.some((x) => x.byImpl[v.id]));
  const md = markdown({ ...opts, quick: saved.quick, rounds: saved.rounds }, rows, saved.w1Raw, saved.variants, variantImpls, bestPyTorchMs(rows), noise, '(re-rendered)');
  const subtitle = `${saved.quick ? 'QUICK; ' : ''}MEDIAN OF ${saved.rounds} ALTERNATING ROUND(S); ${saved.machine.cpus} CPUS; LOAD AVG ${lb[0]!.toFixed(1)} BEFORE, ${la[0]!.toFixed(1)} AFTER`;
  writeFileSync(join(opts.out, 'results.md'), md);
  writeFileSync(join(opts.out, 'chart.png'), renderChart(chartSpec(rows, saved.variants, variantImpls, subtitle)));
  process.stdout.write(`${md}\n`);
}

async function measureW1(plan: Plan, round: number, entry: W1Collected, python: PythonEnv | null, browser: BrowserSession | null): Promise<void> {
  if (plan.env === 'python') {
    const args = ['--steps', String(plan.steps), '--warmup', String(plan.warmup), '--encode-repeats', String(plan.encodeRepeats), ...(plan.budgetMs ? ['--budget-ms', String(plan.budgetMs)] : []), ...(plan.scriptArgs ?? [])];
    const r = await runPython(python!, plan.script!, args, { timeoutMs: 20 * 60_000, log: (l) => log(`  [${plan.id}] ${l}`) });
    const path = (entry.paths['python'] ??= { rounds: [], kernels: null, peakBytes: null });
    path.rounds.push(r.stepMs);
    entry.encodeRounds.push(r.encodeMs);
    entry.maxRssBytes = Math.max(entry.maxRssBytes ?? 0, r.info.maxRssBytes);
    entry.impl.runtime = `${r.info.name} ${r.info.version}, ${r.info.threads} threads`;
    return;
  }
  // Rotate the path order too, so no path always runs first in its process.
  const paths = plan.paths.map((_, i) => plan.paths[(i + round) % plan.paths.length]!);
  const task: W1Task = {
    kind: 'w1',
    backend: plan.backend!,
    paths,
    steps: plan.steps,
    warmup: plan.warmup,
    encodeRepeats: plan.encodeRepeats,
    profile: round === 0,
    perKernel: round === 0 && plan.id === 'native',
    ...(plan.budgetMs ? { budgetMs: plan.budgetMs } : {}),
  };
  const result: TaskResult =
    plan.env === 'node'
      ? await runNodeTask(task, { stockWasm: plan.stockWasm ?? false, timeoutMs: 20 * 60_000, log })
      : await browser!.run(task, 20 * 60_000, log);
  const w1 = result as W1TaskResult;
  entry.impl.runtime = w1.backend.runtime;
  for (const path of plan.paths) {
    const times = w1.paths[path];
    if (!times) continue;
    const slot = (entry.paths[path] ??= { rounds: [], kernels: null, peakBytes: null });
    slot.rounds.push(times.ms);
    if (times.kernels !== null) slot.kernels = times.kernels;
    if (times.peakBytes !== null) slot.peakBytes = times.peakBytes;
    if (times.kernelTimes && path === 'trainer') entry.kernelTimes = times.kernelTimes;
  }
  entry.encodeRounds.push(w1.encodeMs);
  if (w1.maxRssBytes !== null) entry.maxRssBytes = Math.max(entry.maxRssBytes ?? 0, w1.maxRssBytes);
}

function markdown(
  opts: Options,
  rows: ReturnType<typeof w1Rows>,
  all: W1Collected[],
  variants: VariantCollected[],
  variantImpls: Array<{ id: string; label: string }>,
  pytorchMs: number,
  noise: string,
  minutes: string,
): string {
  const out: string[] = [];
  out.push(`# vaekit bench${opts.quick ? ' (--quick)' : ''}`, '');
  out.push(
    `W1: MLP VAE 784-512-512-(32+32) / 32-512-512-784, Bernoulli, closed-form KL, Adam 1e-3, batch 128; one step = forward, ` +
      `backward, update, loss read back. W2: encode 1024 examples (means). Medians of per-round medians over ${opts.rounds} ` +
      `round(s); implementations alternate (each in its own process). "x PyTorch" / "x TensorFlow" are speed ratios ` +
      `(above 1 = faster than the reference); the PyTorch reference is its faster thread setting in this run. ${noise}; ${minutes} min in all.`,
    '',
  );
  out.push('## W1 training step and W2 encode', '', w1Table(rows), '');
  out.push(
    'Paths: `trainer` = vaekit\'s `createVae` W1 model through `@vaekit/core`\'s `train()` (gradient-norm read and finite check ' +
      'included); `raw` = the same network hand-written on tfjs-core (`tf.fused.matMul`, tfjs Adam via `minimize`); ' +
      '`raw-lean` = raw with a 6-op loss and Adam over one flat parameter vector; `python` = the reference script.',
    '',
  );
  const runtimes = all.map((c) => `- ${c.impl.label}: ${c.impl.runtime || '?'}${c.errors.length ? ` — errors: ${c.errors.join('; ')}` : ''}`);
  out.push('Runtimes:', '', ...runtimes, '');

  const get = (id: string, path: string): number => rows.find((r) => r.impl.id === id && r.path === path)?.step.median ?? Number.NaN;
  const lines: string[] = [];
  const native = get('native', 'trainer');
  const wasm = get('wasm', 'trainer');
  const stock = get('wasm-stock', 'trainer');
  if (Number.isFinite(stock) && Number.isFinite(wasm)) {
    lines.push(`- wasm matMul fix (Node, trainer path): stock ${fmt(stock)} ms/step -> fixed ${fmt(wasm)} ms/step, ${fmtRatio(speedRatio(wasm, stock))} faster.`);
  }
  const stockRaw = get('wasm-stock', 'raw');
  const wasmRaw = get('wasm', 'raw');
  if (Number.isFinite(stockRaw) && Number.isFinite(wasmRaw)) {
    lines.push(`- wasm matMul fix (Node, raw path): stock ${fmt(stockRaw)} -> fixed ${fmt(wasmRaw)} ms/step, ${fmtRatio(speedRatio(wasmRaw, stockRaw))} faster.`);
  }
  if (Number.isFinite(native) && Number.isFinite(wasm)) {
    lines.push(`- wasm (Node) vs native, W1 trainer: ${fmtRatio(speedRatio(wasm, native))} of native's steps/s (target >= 0.5x).`);
  }
  for (const path of ['trainer', 'raw', 'raw-lean']) {
    const ms = get('native', path);
    if (Number.isFinite(ms) && Number.isFinite(pytorchMs)) {
      lines.push(`- native ${path} vs PyTorch, W1 steps/s: ${fmtRatio(speedRatio(ms, pytorchMs))} (target >= 1.0x).`);
    }
  }
  if (lines.length) out.push('## Headline ratios', '', ...lines, '');

  const kernels = all.find((c) => c.impl.id === 'native')?.kernelTimes;
  if (kernels?.length) {
    out.push(
      '## Where native\'s W1 trainer step goes (one profiled step, `tf.profile`, time inside each kernel)',
      '',
      kernelTable(kernels),
      '',
      `The kernel times add up to less than the step: the rest is tfjs's per-op JavaScript (tape, engine bookkeeping, ` +
        `tensor handles) around ${kernels.reduce((a, k) => a + k.count, 0)} launches.`,
      '',
    );
  }
  if (variants.length) {
    out.push(
      '## Every registered variant, default config (MNIST-shaped random binary data, batch 128, trainer path)',
      '',
      variantTable(variants, variantImpls, pytorchMs),
      '',
      `One round per backend; the ratio is to PyTorch's W1 step (the VAE's default config is W1's network).`,
      '',
    );
  }
  return out.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`vaekit bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
