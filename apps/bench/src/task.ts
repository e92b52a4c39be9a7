// What the orchestrator asks a measuring process (Node child or Chromium page) to do, and what comes back.
// Plain data only: it crosses process and page boundaries as JSON.
import type { CompileSetting } from './compile-info.js';
import type { VariantTimes } from './variant-times.js';
import type { StepTimes, W1Path } from './workload.js';

export type TfjsBackend = 'native' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface W1Task {
  kind: 'w1';
  backend: TfjsBackend;
  paths: W1Path[];
  steps: number;
  warmup: number;
  encodeRepeats: number;
  /** Profile one step per path (kernel count, peak tensor bytes). */
  profile: boolean;
  /** Also time each kernel name over the profiled step. */
  perKernel: boolean;
  /** Per path: stop measuring after this much time once 3 steps are in (slow backends). */
  budgetMs?: number;
  /** The trainer path's `compile` option (native); the trainer's default when absent. */
  compile?: CompileSetting;
}

export interface VariantsTask {
  kind: 'variants';
  backend: TfjsBackend;
  steps: number;
  warmup: number;
  encodeRepeats: number;
  /** Per variant, as in W1Task. */
  budgetMs?: number;
  only?: string[];
  /** As in W1Task: every variant's trainer steps run with this `compile` option. */
  compile?: CompileSetting;
}

export type Task = W1Task | VariantsTask;

export interface BackendSummary {
  name: string;
  runtime: string;
  threads: number;
  simd: boolean | null;
}

export interface W1TaskResult {
  kind: 'w1';
  backend: BackendSummary;
  paths: Partial<Record<W1Path, StepTimes>>;
  encodeMs: number[];
  /** Peak resident set of the measuring process, bytes (Node and Python only). */
  maxRssBytes: number | null;
}

export interface VariantsTaskResult {
  kind: 'variants';
  backend: BackendSummary;
  variants: VariantTimes[];
  maxRssBytes: number | null;
}

export type TaskResult = W1TaskResult | VariantsTaskResult;

/** The line prefix a measuring process prints its JSON result after. */
export const RESULT_PREFIX = '@@vaekit-bench-result ';
