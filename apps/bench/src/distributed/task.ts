// What one measured cluster runs and what its chief reports, as plain data: it crosses two process
// boundaries (bench → launcher inside the network namespace → workers) as JSON.
import type { CompileRecord } from '../compile-info.js';

export interface ClusterTask {
  workers: number;
  /** The global batch, split evenly among the workers. */
  globalBatch: number;
  steps: number;
  warmup: number;
  /** Stop after at least 3 measured steps once this much time is spent. */
  budgetMs: number;
  /** Timed fused all-reduces of W1's gradients' shapes after training (the communication alone). */
  allReduceRepeats: number;
}

export interface ClusterResult {
  workers: number;
  globalBatch: number;
  /** Rows each worker trains on per step. */
  perWorkerBatch: number;
  /** The chief's step times after warm-up (compute and the all-reduce together: steps are synchronous). */
  stepMs: number[];
  firstStepMs: number;
  compile: CompileRecord | null;
  /** One fused all-reduce of every trainable variable's shape, each timed to its result on the CPU. */
  allReduceMs: number[];
  /** Bytes of the gradients one step all-reduces (float32). */
  gradientBytes: number;
  /**
   * Bytes that crossed loopback per measured step, all workers together, counted by the private network
   * namespace's `lo` (nothing else runs there): gRPC framing and heartbeats included. Null where the
   * counter cannot be read.
   */
  loopbackBytesPerStep: number | null;
}

/** Marks the chief's result line among its log lines. */
export const CLUSTER_RESULT_PREFIX = '@@vaekit-bench-cluster ';

export function perWorkerBatch(task: Pick<ClusterTask, 'workers' | 'globalBatch'>): number {
  if (!Number.isInteger(task.workers) || task.workers < 1) throw new RangeError(`workers must be a whole number >= 1, got ${task.workers}`);
  if (task.globalBatch % task.workers !== 0) {
    throw new RangeError(`global batch ${task.globalBatch} does not split evenly among ${task.workers} workers`);
  }
  return task.globalBatch / task.workers;
}
