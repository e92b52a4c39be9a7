// Runs the distributed section: every cluster plan once per round, the order rotating round by round like
// the rest of the bench, so that no cluster always runs right after the heaviest one.
import type { ClusterPlan } from './plan.js';
import { runCluster } from './run-cluster.js';
import type { ClusterResult } from './task.js';

export interface ClusterCollected {
  plan: ClusterPlan;
  results: ClusterResult[];
  errors: string[];
}

export async function measureClusters(plans: readonly ClusterPlan[], rounds: number, log: (line: string) => void): Promise<ClusterCollected[]> {
  const collected = plans.map<ClusterCollected>((plan) => ({ plan, results: [], errors: [] }));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < collected.length; i++) {
      const entry = collected[(i + round) % collected.length]!;
      const started = Date.now();
      try {
        const result = await runCluster(entry.plan.task, { timeoutMs: 240_000, log });
        entry.results.push(result);
        const sorted = [...result.stepMs].sort((a, b) => a - b);
        log(`round ${round + 1}/${rounds} distributed ${entry.plan.id}: ${sorted[sorted.length >> 1]?.toFixed(1) ?? '–'} ms/step (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        entry.errors.push(message);
        log(`round ${round + 1}/${rounds} distributed ${entry.plan.id}: FAILED ${message}`);
      }
    }
  }
  return collected;
}
