import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { ClusterResult, ClusterTask } from '../src/distributed/task.js';

// The bench's distributed rows end to end: a real 2-worker cluster inside a private network namespace
// (root, util-linux, iproute2; it FAILS without them), run from the built bench as `pnpm bench` runs it.
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'distributed', 'run-cluster.js');

describe('a measured cluster', () => {
  it('2 workers train W1 with compiled steps and report step times, the all-reduce and the bytes on loopback', async () => {
    expect(existsSync(DIST), `build the bench first (pnpm turbo run build --filter=@vaekit/bench...): ${DIST} is missing`).toBe(true);
    const { runCluster } = (await import(DIST)) as { runCluster: (task: ClusterTask, o: { timeoutMs: number; log: (l: string) => void }) => Promise<ClusterResult> };
    const lines: string[] = [];
    const result = await runCluster({ workers: 2, globalBatch: 64, steps: 3, warmup: 2, budgetMs: 60_000, allReduceRepeats: 2 }, { timeoutMs: 120_000, log: (l) => lines.push(l) });
    expect(result, lines.join('\n')).toMatchObject({ workers: 2, globalBatch: 64, perWorkerBatch: 32 });
    expect(result.compile?.status).toBe('compiled');
    expect(result.stepMs).toHaveLength(3);
    for (const ms of [...result.stepMs, ...result.allReduceMs]) expect(ms).toBeGreaterThan(0);
    expect(result.allReduceMs).toHaveLength(2);
    // W1's trainable variables: 784x512 + 512 + 512x512 + 512 + 512x64 + 64, and the decoder's mirror.
    const params = 784 * 512 + 512 + 512 * 512 + 512 + 512 * 64 + 64 + (32 * 512 + 512 + 512 * 512 + 512 + 512 * 784 + 784);
    expect(result.gradientBytes).toBe(params * 4);
    // A 2-worker ring sends the gradients' size from each worker, once: twice that crosses loopback per step,
    // plus framing and heartbeats.
    expect(result.loopbackBytesPerStep).toBeGreaterThan(2 * result.gradientBytes);
    expect(result.loopbackBytesPerStep).toBeLessThan(2.5 * result.gradientBytes);
  }, 180_000);
});
