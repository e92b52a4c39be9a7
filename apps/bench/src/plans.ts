// What the bench measures: the implementations (W1/W2, alternating rounds) and the variant sweeps, and how
// `--only` and the switches pick among them. Pure data and selection (unit-tested).
import type { CompileSetting } from './compile-info.js';
import type { ImplInfo } from './report.js';
import type { TfjsBackend } from './task.js';
import type { W1Path } from './workload.js';

/** What one implementation runs per round: steps, warm-up and a time budget per W1 path. */
export interface Plan {
  id: string;
  label: string;
  env: ImplInfo['env'];
  backend?: TfjsBackend;
  stockWasm?: boolean;
  /** The trainer path's `compile` option; absent = the trainer's default (op by op off native). */
  compile?: CompileSetting;
  paths: W1Path[];
  steps: number;
  warmup: number;
  encodeRepeats: number;
  budgetMs?: number;
  script?: string;
  scriptArgs?: string[];
}

/** One backend (and compile setting) of the variant sweep. */
export interface VariantPlan {
  id: string;
  label: string;
  env: 'node' | 'chromium';
  backend: TfjsBackend;
  compile?: CompileSetting;
  steps: number;
  warmup: number;
  encodeRepeats: number;
  budgetMs: number;
  /** Rounds of the sweep: the native compile settings alternate over the run's rounds, the rest run once. */
  rounds: number;
}

/** Names `--only` accepts besides the ids: `native` is the trainer path users get, compiled. */
export const ALIASES: Readonly<Record<string, string>> = { native: 'native-compiled' };

/** The native rows: one per compile setting of the trainer path. */
export const NATIVE_IDS = { eager: 'native-eager', compiled: 'native-compiled', xla: 'native-xla' } as const;

export function plans(quick: boolean): Plan[] {
  const q = <T>(full: T, short: T): T => (quick ? short : full);
  const all: W1Path[] = ['trainer', 'raw', 'raw-lean'];
  const ref = { paths: [] as W1Path[], steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 3000) };
  const native = { env: 'node' as const, backend: 'native' as const, steps: q(50, 15), warmup: q(10, 5), encodeRepeats: q(20, 8), budgetMs: q(8000, 2000) };
  // The compared pairs sit next to each other, so that the rotation of rounds keeps them close in time.
  return [
    { id: NATIVE_IDS.compiled, label: 'tfjs native compiled (Node)', ...native, compile: 'auto', paths: ['trainer'] },
    { id: 'tensorflow', label: 'TensorFlow tf.function', env: 'python', ...ref, script: 'w1_tensorflow.py' },
    { id: 'pytorch-1t', label: 'PyTorch CPU (1 thread)', env: 'python', ...ref, script: 'w1_torch.py', scriptArgs: ['--threads', '1'] },
    { id: NATIVE_IDS.xla, label: 'tfjs native compiled + XLA (Node)', ...native, compile: 'xla', paths: ['trainer'] },
    { id: 'tensorflow-xla', label: 'TensorFlow tf.function + XLA', env: 'python', ...ref, script: 'w1_tensorflow.py', scriptArgs: ['--xla'] },
    { id: NATIVE_IDS.eager, label: 'tfjs native eager (Node)', ...native, compile: false, paths: all },
    { id: 'pytorch', label: 'PyTorch CPU (default threads)', env: 'python', ...ref, script: 'w1_torch.py' },
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
    // The runtime column names the adapter: SwiftShader (software) in headless Chromium, not a GPU.
    { id: 'chromium-webgpu', label: 'tfjs webgpu (Chromium)', env: 'chromium', backend: 'webgpu', paths: ['trainer'], steps: q(4, 2), warmup: 1, encodeRepeats: q(2, 1), budgetMs: q(5000, 2000) },
    { id: 'chromium-wasm', label: 'tfjs wasm (Chromium)', env: 'chromium', backend: 'wasm', paths: q<W1Path[]>(['trainer', 'raw'], ['trainer']), steps: q(20, 6), warmup: q(3, 2), encodeRepeats: q(8, 3), budgetMs: q(5000, 1500) },
  ];
}

/** Variant sweep settings per backend; on native one sweep per compile setting, alternating over `rounds`. */
export function variantPlans(quick: boolean, rounds: number): VariantPlan[] {
  const nativeSweep = quick
    ? { env: 'node' as const, backend: 'native' as const, steps: 4, warmup: 2, encodeRepeats: 3, budgetMs: 1000, rounds }
    : { env: 'node' as const, backend: 'native' as const, steps: 15, warmup: 4, encodeRepeats: 8, budgetMs: 3000, rounds };
  const native: VariantPlan[] = [
    { id: NATIVE_IDS.eager, label: 'native eager', ...nativeSweep, compile: false },
    { id: NATIVE_IDS.compiled, label: 'native compiled', ...nativeSweep, compile: 'auto' },
    { id: NATIVE_IDS.xla, label: 'native XLA', ...nativeSweep, compile: 'xla' },
  ];
  if (quick) return [...native, { id: 'wasm', label: 'wasm', env: 'node', backend: 'wasm', steps: 3, warmup: 1, encodeRepeats: 2, budgetMs: 800, rounds: 1 }];
  return [
    ...native,
    { id: 'wasm', label: 'wasm', env: 'node', backend: 'wasm', steps: 8, warmup: 2, encodeRepeats: 4, budgetMs: 2500, rounds: 1 },
    { id: 'cpu', label: 'cpu', env: 'node', backend: 'cpu', steps: 1, warmup: 1, encodeRepeats: 1, budgetMs: 1000, rounds: 1 },
    { id: 'chromium-webgl', label: 'webgl (Chromium)', env: 'chromium', backend: 'webgl', steps: 2, warmup: 1, encodeRepeats: 1, budgetMs: 2000, rounds: 1 },
    { id: 'chromium-webgpu', label: 'webgpu (Chromium)', env: 'chromium', backend: 'webgpu', steps: 2, warmup: 1, encodeRepeats: 1, budgetMs: 2000, rounds: 1 },
    { id: 'chromium-wasm', label: 'wasm (Chromium)', env: 'chromium', backend: 'wasm', steps: 6, warmup: 2, encodeRepeats: 3, budgetMs: 2500, rounds: 1 },
  ];
}

/** `--only`'s name for the distributed section (local clusters of 1-3 workers and the scaling estimate). */
export const DISTRIBUTED_ID = 'distributed';

/** Every id `--only` knows, and the aliases. */
export function knownIds(): string[] {
  return [...new Set([...plans(false).map((p) => p.id), ...variantPlans(false, 1).map((v) => v.id), DISTRIBUTED_ID, ...Object.keys(ALIASES)])];
}

/** Whether the distributed section runs: on unless switched off, and named when `--only` picks rows. */
export function selectDistributed(options: { only: readonly string[] | null; distributed: boolean }): boolean {
  return options.distributed && (!options.only || resolveOnly(options.only).includes(DISTRIBUTED_ID));
}

/** `--only`'s list with aliases resolved; throws on a name the bench does not know. */
export function resolveOnly(only: readonly string[]): string[] {
  const known = new Set(knownIds());
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length) throw new Error(`unknown implementation ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return [...new Set(only.map((id) => ALIASES[id] ?? id))];
}

export interface Selection {
  plans: Plan[];
  /** Ids added because a selected row is compared with them, and why. */
  added: Array<{ id: string; because: string }>;
}

/**
 * The W1 implementations to run. Native XLA is only worth a figure next to TensorFlow with XLA measured in
 * the same run, so selecting `native-xla` brings `tensorflow-xla` along (unless Python is off).
 */
export function selectPlans(quick: boolean, options: { only: readonly string[] | null; python: boolean; browser: boolean }): Selection {
  const only = options.only ? resolveOnly(options.only) : null;
  const added: Selection['added'] = [];
  if (only?.includes(NATIVE_IDS.xla) && !only.includes('tensorflow-xla') && options.python) {
    only.push('tensorflow-xla');
    added.push({ id: 'tensorflow-xla', because: `${NATIVE_IDS.xla} is compared with it` });
  }
  const selected = plans(quick).filter(
    (p) => (!only || only.includes(p.id)) && (options.python || p.env !== 'python') && (options.browser || p.env !== 'chromium'),
  );
  return { plans: selected, added };
}

/** The variant sweeps to run: those whose id `--only` names (all without it). */
export function selectVariantPlans(quick: boolean, rounds: number, only: readonly string[] | null): VariantPlan[] {
  const ids = only ? resolveOnly(only) : null;
  return variantPlans(quick, rounds).filter((v) => !ids || ids.includes(v.id));
}
