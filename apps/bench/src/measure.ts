// Running the plans: one W1/W2 measurement of one implementation (a Node child, a Chromium page or a
// Python script), and the variant sweeps, merged into the collected data the report reads.
import type { BrowserSession } from './browser.js';
import type { Plan, VariantPlan } from './plans.js';
import type { VariantCollected, W1Collected } from './report.js';
import { runNodeTask, runPython, type PythonEnv } from './runners.js';
import type { TaskResult, VariantsTask, VariantsTaskResult, W1Task, W1TaskResult } from './task.js';

export interface Runtime {
  python: PythonEnv | null;
  browser: BrowserSession | null;
  log: (line: string) => void;
}

export async function measureW1(plan: Plan, round: number, entry: W1Collected, rt: Runtime): Promise<void> {
  const { log } = rt;
  if (plan.env === 'python') {
    const args = ['--steps', String(plan.steps), '--warmup', String(plan.warmup), '--encode-repeats', String(plan.encodeRepeats), ...(plan.budgetMs ? ['--budget-ms', String(plan.budgetMs)] : []), ...(plan.scriptArgs ?? [])];
    const r = await runPython(rt.python!, plan.script!, args, { timeoutMs: 20 * 60_000, log: (l) => log(`  [${plan.id}] ${l}`) });
    const path = (entry.paths['python'] ??= { rounds: [], kernels: null, peakBytes: null });
    path.rounds.push(r.stepMs);
    (path.firstStepRounds ??= []).push(r.firstStepMs);
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
    // The per-kernel breakdown explains the op-by-op step: native eager's.
    perKernel: round === 0 && plan.backend === 'native' && plan.compile === false,
    ...(plan.budgetMs ? { budgetMs: plan.budgetMs } : {}),
    ...(plan.compile !== undefined ? { compile: plan.compile } : {}),
  };
  const result: TaskResult =
    plan.env === 'node'
      ? await runNodeTask(task, { stockWasm: plan.stockWasm ?? false, timeoutMs: 20 * 60_000, log })
      : await rt.browser!.run(task, 20 * 60_000, log);
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
    if (times.compile !== undefined) (slot.compileRounds ??= []).push(times.compile);
    if (times.firstStepMs !== undefined) (slot.firstStepRounds ??= []).push(times.firstStepMs);
  }
  entry.encodeRounds.push(w1.encodeMs);
  if (w1.maxRssBytes !== null) entry.maxRssBytes = Math.max(entry.maxRssBytes ?? 0, w1.maxRssBytes);
}

/**
 * Every registered variant on every sweep. Sweeps with several rounds (native's three compile settings)
 * alternate round by round, each round starting one later in the list, as the W1 rounds do.
 */
export async function runVariantSweeps(sweeps: readonly VariantPlan[], rt: Runtime): Promise<Map<string, VariantCollected>> {
  const variants = new Map<string, VariantCollected>();
  const rounds = Math.max(0, ...sweeps.map((v) => v.rounds));
  for (let round = 0; round < rounds; round++) {
    const active = sweeps.filter((v) => v.rounds > round);
    const order = active.map((_, i) => active[(i + round) % active.length]!);
    for (const v of order) {
      const t0 = Date.now();
      try {
        const task: VariantsTask = {
          kind: 'variants',
          backend: v.backend,
          steps: v.steps,
          warmup: v.warmup,
          encodeRepeats: v.encodeRepeats,
          budgetMs: v.budgetMs,
          ...(v.compile !== undefined ? { compile: v.compile } : {}),
        };
        const result = (v.env === 'node'
          ? await runNodeTask(task, { timeoutMs: 30 * 60_000, log: rt.log })
          : await rt.browser!.run(task, 30 * 60_000, rt.log)) as VariantsTaskResult;
        mergeVariants(variants, v.id, result);
        rt.log(`variants on ${v.id}${v.rounds > 1 ? ` (round ${round + 1}/${v.rounds})` : ''}: ${result.variants.length} variants (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      } catch (err) {
        rt.log(`variants on ${v.id}: FAILED ${String(err instanceof Error ? err.message : err)}`);
      }
    }
  }
  return variants;
}

/** Adds one sweep's round to the per-variant cells. */
export function mergeVariants(variants: Map<string, VariantCollected>, implId: string, result: Pick<VariantsTaskResult, 'variants'>): void {
  for (const t of result.variants) {
    const entry = variants.get(t.className) ?? { className: t.className, parameters: t.parameters, byImpl: {} };
    entry.parameters ||= t.parameters;
    const cell = (entry.byImpl[implId] ??= { stepRounds: [], encodeRounds: [] });
    cell.stepRounds.push(t.stepMs);
    cell.encodeRounds.push(t.encodeMs);
    if (t.compile !== undefined) (cell.compileRounds ??= []).push(t.compile);
    if (t.firstStepMs !== undefined) (cell.firstStepRounds ??= []).push(t.firstStepMs);
    if (t.error) cell.error = t.error;
    variants.set(t.className, entry);
  }
}
