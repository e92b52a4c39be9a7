// One worker of a measured cluster (started by cluster-launcher.js with its TF_CONFIG): W1 through the
// trainer with compiled data-parallel steps, then the fused all-reduce alone. The chief prints the result.
import '@vaekit/variants';

import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@vaekit/backends';
import { readTfConfig, startWorker, trainingWorker, type TrainingWorker } from '@vaekit/distributed';

import { trainerSteps } from '../trainer-steps.js';
import { createW1Model, now } from '../workload.js';
import { CLUSTER_RESULT_PREFIX, perWorkerBatch, type ClusterResult, type ClusterTask } from './task.js';

/**
 * Bytes sent over loopback so far, from /proc/net/dev, which shows the reading process's own network
 * namespace (/sys/class/net shows the namespace sysfs was mounted in, the machine's).
 */
function loopbackBytes(): number | null {
  try {
    const line = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .find((l) => l.trim().startsWith('lo:'));
    // "lo: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...": the 9th number is bytes sent.
    const sent = Number(line?.split(':')[1]?.trim().split(/\s+/)[8]);
    return Number.isFinite(sent) ? sent : null;
  } catch {
    return null;
  }
}

/** Times `repeats` fused mean all-reduces of tensors shaped like the model's gradients, after 2 untimed. */
function timeAllReduce(worker: TrainingWorker, shapes: readonly number[][], repeats: number): number[] {
  const tensors = shapes.map((shape) => tf.ones(shape));
  const times: number[] = [];
  try {
    for (let i = 0; i < repeats + 2; i++) {
      const start = now();
      const reduced = worker.allReduceMean(tensors);
      // Reading one piece waits for the whole collective: the pieces are split from one reduced buffer.
      reduced[0]?.dataSync();
      const ms = now() - start;
      tf.dispose(reduced);
      if (i >= 2) times.push(ms);
    }
  } finally {
    tf.dispose(tensors);
  }
  return times;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as ClusterTask;
  await useBackend('native');
  const worker = startWorker(readTfConfig(process.env), { startTimeoutMs: 60_000 });
  const training = trainingWorker(worker);
  const model = createW1Model();
  try {
    const trainable = model.variables().filter((v) => v.variable.trainable);
    const shapes = trainable.map((v) => [...v.variable.shape]);
    const gradientBytes = trainable.reduce((sum, v) => sum + v.variable.size * 4, 0);
    let fromBytes: number | null = null;
    let toBytes: number | null = null;
    const run = await trainerSteps(model, task.steps, task.warmup, {
      budgetMs: task.budgetMs,
      batchSize: task.globalBatch,
      compile: 'auto',
      distributed: training,
      onStepEnd: (index) => {
        if (index === task.warmup - 1) fromBytes = loopbackBytes();
        toBytes = loopbackBytes();
      },
    });
    const allReduceMs = timeAllReduce(training, shapes, task.allReduceRepeats);
    if (!training.isChief) return;
    const measured = run.ms.length;
    const result: ClusterResult = {
      workers: task.workers,
      globalBatch: task.globalBatch,
      perWorkerBatch: perWorkerBatch(task),
      stepMs: run.ms,
      firstStepMs: run.firstStepMs,
      compile: run.compile,
      allReduceMs,
      gradientBytes,
      loopbackBytesPerStep: fromBytes !== null && toBytes !== null && measured > 0 ? (toBytes - fromBytes) / measured : null,
    };
    await new Promise<void>((resolve) => process.stdout.write(`${CLUSTER_RESULT_PREFIX}${JSON.stringify(result)}\n`, () => resolve()));
  } finally {
    model.dispose();
  }
}

main().then(
  // TensorFlow's server threads keep the process alive: leave once the work is done.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
