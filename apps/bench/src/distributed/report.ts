// The distributed section of results.md: the local clusters, the compute points, and the paper estimate.
import { fmt, fmtMB, fmtRatio, markdownTable } from '../format.js';
import { median, noiseVerdict, perSecond, summarizeRounds, type Summary } from '../stats.js';
import { W1 } from '../workload.js';
import { computeMsForEfficiency, NETWORKS, strongScaling, weakScalingSpeedUp } from './estimate.js';
import type { ClusterCollected } from './measure.js';
import { ESTIMATE_WORKERS } from './plan.js';

export interface ClusterRow {
  id: string;
  kind: 'local' | 'compute';
  workers: number;
  globalBatch: number;
  perWorkerBatch: number;
  step: Summary;
  allReduce: Summary | null;
  gradientBytes: number | null;
  loopbackBytesPerStep: number | null;
  compiled: boolean;
  errors: string[];
}

export function clusterRows(collected: readonly ClusterCollected[]): ClusterRow[] {
  return collected.map(({ plan, results, errors }) => {
    const reduces = results.map((r) => r.allReduceMs).filter((ms) => ms.length > 0);
    const volumes = results.map((r) => r.loopbackBytesPerStep).filter((b): b is number => b !== null);
    return {
      id: plan.id,
      kind: plan.kind,
      workers: plan.task.workers,
      globalBatch: plan.task.globalBatch,
      perWorkerBatch: plan.task.globalBatch / plan.task.workers,
      step: summarizeRounds(results.map((r) => r.stepMs)),
      allReduce: reduces.length ? summarizeRounds(reduces) : null,
      gradientBytes: results[0]?.gradientBytes ?? null,
      loopbackBytesPerStep: volumes.length ? median(volumes) : null,
      compiled: results.length > 0 && results.every((r) => r.compile?.status === 'compiled'),
      errors,
    };
  });
}

const spread = (s: Summary): string => (s.rounds > 1 ? `${fmt(s.roundMin)}-${fmt(s.roundMax)}` : '–');

export function distributedMarkdown(rows: readonly ClusterRow[]): string {
  const local = rows.filter((r) => r.kind === 'local');
  const one = local.find((r) => r.workers === 1);
  const out: string[] = [
    '## Distributed data parallelism (W1, compiled steps, workers on this machine)',
    '',
    'Each row is a real cluster: N `@vaekit/distributed` workers on loopback inside a private network namespace, ' +
      "W1 through `train()` with `distributed`, each step one compiled function with the fused all-reduce inside. " +
      `**On this machine the workers share its cores, so these rows measure the overhead of data parallelism, not a speed-up.** ` +
      'The global batch is W1\'s 128, rounded down to a multiple of N. "all-reduce" is the fused mean all-reduce of ' +
      "W1's gradients alone (timed to its result); \"loopback MB/step\" is what crossed the namespace's loopback per step, all workers together " +
      '(gRPC framing and heartbeats included).',
    '',
  ];
  const localTable = local.map((r) => {
    const ms = r.step.median;
    const examples = (r.globalBatch * 1000) / ms;
    const ratio = one && r !== one ? fmtRatio(one.step.median / ms) : r === one ? '1.00x' : '–';
    const noisy = noiseVerdict(r.step).noisy ? ' (noisy)' : '';
    return [
      `${r.workers}${r.compiled ? '' : ' (not compiled)'}`,
      String(r.globalBatch),
      String(r.perWorkerBatch),
      `${fmt(ms)}${noisy}`,
      spread(r.step),
      fmt(perSecond(ms)),
      fmt(examples),
      ratio,
      r.allReduce ? fmt(r.allReduce.median) : '–',
      fmtMB(r.loopbackBytesPerStep),
      r.errors.length ? r.errors[0]!.slice(0, 80) : '',
    ];
  });
  out.push(
    markdownTable(
      ['workers', 'global batch', 'per worker', 'ms/step', 'round range', 'steps/s', 'examples/s', 'throughput vs 1', 'all-reduce ms', 'loopback MB/step', 'error'],
      localTable,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  );

  const gradientBytes = rows.find((r) => r.gradientBytes !== null)?.gradientBytes ?? null;
  const two = local.find((r) => r.workers === 2);
  if (gradientBytes !== null) {
    const loopbackRate = two?.allReduce ? gradientBytes / 2 ** 20 / (two.allReduce.median / 1000) : Number.NaN;
    out.push(
      `Communication: one step all-reduces ${fmtMB(gradientBytes)} MB of gradients (float32), once, fused. ` +
        `A ring all-reduce sends 2(N-1)/N of that per worker. On loopback, 2 workers all-reduce it in ${fmt(two?.allReduce?.median)} ms ` +
        `(${fmt(loopbackRate)} MB/s per worker, CPU-bound: both workers copy and sum on the same 2 cores).`,
      '',
    );
  }

  // The estimate: per-worker compute at B/N from the 1-worker rows, all-reduce from the ring model.
  const computeMs = new Map<number, number>();
  for (const r of rows) if (r.workers === 1 && Number.isFinite(r.step.median)) computeMs.set(r.perWorkerBatch, r.step.median);
  const estimate = gradientBytes === null ? [] : strongScaling(computeMs, gradientBytes, W1.batchSize, ESTIMATE_WORKERS);
  if (estimate.length > 0 && gradientBytes !== null) {
    out.push(
      '### Paper estimate: N machines',
      '',
      `Step on N machines = one worker's measured compiled step at batch 128/N (1-worker rows above and below) + a ring all-reduce of ` +
        `${fmtMB(gradientBytes)} MB: 2(N-1) messages of the stated latency, 2(N-1)/N of the bytes at the link's rate; nothing overlaps ` +
        '(the all-reduce follows the backward pass). The networks are assumptions, not measurements.',
      '',
      markdownTable(
        ['machines', 'batch per machine', 'compute ms', ...NETWORKS.map((n) => `${n.name}: step ms (speed-up)`)],
        estimate.map((e) => [
          String(e.workers),
          String(e.perWorkerBatch),
          fmt(e.computeMs),
          ...e.perNetwork.map((p) => `${fmt(p.stepMs)} (${fmtRatio(p.speedUp)})`),
        ]),
        ['right', 'right', 'right', ...NETWORKS.map(() => 'right' as const)],
      ),
      '',
    );
    const full = computeMs.get(W1.batchSize);
    if (full !== undefined) {
      const weak = NETWORKS.map((n) => `${n.name} ${ESTIMATE_WORKERS.filter((w) => w > 1).map((w) => `${w}: ${fmtRatio(weakScalingSpeedUp(full, gradientBytes, w, n))}`).join(', ')}`);
      const need = computeMsForEfficiency(gradientBytes, 8, NETWORKS[0]!, 0.8);
      out.push(
        `With 128 rows per machine instead (the global batch grows with N), throughput over one machine: ${weak.join('; ')}. ` +
          `For 80% of linear throughput on 8 machines at ${NETWORKS[0]!.name}, a step must compute for at least ${fmt(need)} ms ` +
          `between all-reduces of these ${fmtMB(gradientBytes)} MB; W1 computes for ${fmt(full)} ms per 128 rows.`,
        '',
      );
    }
  }
  return out.join('\n');
}
