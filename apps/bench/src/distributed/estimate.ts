// A paper estimate of data-parallel scaling on N real machines, from what the bench measured on one: the
// compiled step's time at each per-worker batch, and the bytes one step all-reduces. Pure (unit-tested).
//
// The model: a synchronous step on N machines is the per-worker step at batch B/N followed by one ring
// all-reduce of the gradients (vaekit fuses them into one collective after the backward pass, so nothing
// overlaps): 2(N-1) messages, each worker sending and receiving 2(N-1)/N of the bytes.

export interface Network {
  name: string;
  gbitPerSecond: number;
  /** One message's latency, added 2(N-1) times per ring all-reduce. */
  latencyUs: number;
}

/** Networks of the usual classes; their figures are assumptions (stated in the report), not measurements. */
export const NETWORKS: readonly Network[] = [
  { name: '10 Gb/s', gbitPerSecond: 10, latencyUs: 50 },
  { name: '25 Gb/s', gbitPerSecond: 25, latencyUs: 25 },
  { name: '100 Gb/s', gbitPerSecond: 100, latencyUs: 10 },
];

/** Milliseconds one ring all-reduce of `bytes` takes among `workers` machines on `network`. */
export function ringAllReduceMs(bytes: number, workers: number, network: Network): number {
  if (workers <= 1) return 0;
  const bytesPerMs = (network.gbitPerSecond * 1e9) / 8 / 1000;
  return 2 * (workers - 1) * (network.latencyUs / 1000) + ((2 * (workers - 1)) / workers) * (bytes / bytesPerMs);
}

export interface EstimateRow {
  workers: number;
  perWorkerBatch: number;
  /** Measured: one worker's compiled step at that batch. */
  computeMs: number;
  /** Per network: the all-reduce, the step, and the speed-up over one machine at the same global batch. */
  perNetwork: Array<{ network: string; allReduceMs: number; stepMs: number; speedUp: number }>;
}

/**
 * Fixed global batch (strong scaling): N machines share `globalBatch`, so each computes B/N rows. `computeMs`
 * maps a per-worker batch to its measured step time; a worker count whose batch was not measured is left out.
 */
export function strongScaling(
  computeMs: ReadonlyMap<number, number>,
  gradientBytes: number,
  globalBatch: number,
  workerCounts: readonly number[],
  networks: readonly Network[] = NETWORKS,
): EstimateRow[] {
  const single = computeMs.get(globalBatch);
  if (single === undefined || !(single > 0)) return [];
  const rows: EstimateRow[] = [];
  for (const workers of workerCounts) {
    const perWorkerBatch = globalBatch / workers;
    const compute = computeMs.get(perWorkerBatch);
    if (!Number.isInteger(perWorkerBatch) || compute === undefined || !(compute > 0)) continue;
    rows.push({
      workers,
      perWorkerBatch,
      computeMs: compute,
      perNetwork: networks.map((network) => {
        const allReduceMs = ringAllReduceMs(gradientBytes, workers, network);
        const stepMs = compute + allReduceMs;
        return { network: network.name, allReduceMs, stepMs, speedUp: single / stepMs };
      }),
    });
  }
  return rows;
}

/**
 * Fixed per-worker batch (weak scaling): every machine keeps `perWorkerBatch` rows, so the global batch
 * grows with N; the figure is throughput (examples per second) over one machine's.
 */
export function weakScalingSpeedUp(computeMs: number, gradientBytes: number, workers: number, network: Network): number {
  if (!(computeMs > 0)) return Number.NaN;
  return (workers * computeMs) / (computeMs + ringAllReduceMs(gradientBytes, workers, network));
}

/**
 * The smallest per-worker compute time at which N machines reach `efficiency` of linear throughput: the step
 * must compute for at least efficiency/(1-efficiency) times the all-reduce.
 */
export function computeMsForEfficiency(gradientBytes: number, workers: number, network: Network, efficiency: number): number {
  if (!(efficiency > 0 && efficiency < 1)) throw new RangeError(`efficiency must be in (0, 1), got ${efficiency}`);
  return (efficiency / (1 - efficiency)) * ringAllReduceMs(gradientBytes, workers, network);
}
