import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryCheckpointStore, prototypeDataset, SeededRandom, shardOf, train, type DistributedTraining } from '../src/index.js';
import { ShardRandom } from '../src/train/shard-random.js';
import { linearVae } from './helpers/linear-vae.js';
import { weightsOf } from './helpers/resume-runs.js';

// The parts of data-parallel training that need no cluster: sharding, the per-example noise a shard draws,
// the refusals, and a one-worker "cluster" (its collectives are the identity), which must repeat a plain
// run bit for bit. Real clusters of 2 and 3 workers are tested in @vaekit/distributed.
beforeAll(useCpu);

/** A cluster of one: every collective gives back copies of its inputs. */
function soloCluster(calls: string[] = [], worldSize = 1, rank = 0): DistributedTraining {
  return {
    rank,
    worldSize,
    isChief: rank === 0,
    allReduceMean: (tensors) => (calls.push('allReduceMean'), tensors.map((t) => t.clone())),
    broadcast: (tensors) => (calls.push('broadcast'), tensors.map((t) => t.clone())),
    abort: (reason) => calls.push(`abort: ${reason}`),
    reserveInstanceKey: () => 1,
    stepFailure: (error) => (error instanceof Error ? error : new Error(String(error))),
  };
}

describe('data-parallel training without a cluster', () => {
  const data = prototypeDataset([12], 48);

  it('shards a global batch into contiguous rows that cover it once', () => {
    expect([0, 1, 2].map((r) => shardOf(12, r, 3))).toEqual([{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 8, end: 12 }]);
    // A short last batch splits as evenly as it can.
    expect([0, 1, 2].map((r) => shardOf(7, r, 3))).toEqual([{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 7 }]);
  });

  it("gives each shard the global batch's noise for its rows, and whole draws of other shapes", () => {
    const whole = new SeededRandom(5).normal([6, 4]);
    const pieces = [0, 1].map((r) => new ShardRandom(new SeededRandom(5), shardOf(6, r, 2), 6).normal([3, 4]));
    expect(Array.from(tf.concat(pieces, 0).dataSync())).toEqual(Array.from(whole.dataSync()));
    const other = new ShardRandom(new SeededRandom(5), shardOf(6, 1, 2), 6).uniform([2, 4]);
    expect(Array.from(other.dataSync())).toEqual(Array.from(new SeededRandom(5).uniform([2, 4]).dataSync()));
    tf.dispose([whole, ...pieces, other]);
  });

  it('refuses a global batch the workers cannot share evenly, a last batch too short, and a bad rank', async () => {
    const model = linearVae();
    await expect(train(model, data, { epochs: 1, batchSize: 15, distributed: soloCluster([], 2) })).rejects.toThrow(
      /batch size 15 is the global batch, split among 2 workers, and must be a multiple of 2/,
    );
    // 39 examples in batches of 12: the last batch has 3 examples for 4 workers.
    await expect(train(model, prototypeDataset([12], 39), { epochs: 1, batchSize: 12, distributed: soloCluster([], 4) })).rejects.toThrow(
      /last batch has 3 example\(s\), fewer than the 4 workers/,
    );
    await expect(train(model, data, { epochs: 1, batchSize: 16, distributed: soloCluster([], 2, 2) })).rejects.toThrow(/rank 2 of 2 workers/);
    model.dispose();
  });

  it('with one worker repeats a plain run bit for bit, with one all-reduce a step, clipping and a short last batch', async () => {
    const options = { epochs: 2, batchSize: 20, seed: 3, clipGradientNorm: 0.5 };
    const plain = linearVae();
    const expected = await train(plain, data, options);
    const calls: string[] = [];
    const solo = linearVae();
    const before = tf.memory().numTensors;
    const result = await train(solo, data, { ...options, distributed: soloCluster(calls) });
    expect(tf.memory().numTensors).toBe(before);
    expect(await weightsOf(solo)).toEqual(await weightsOf(plain));
    expect(result.history.map((h) => h.train)).toEqual(expected.history.map((h) => h.train));
    // Two broadcasts at the start (the weights, then the step), then one all-reduce for each of 2 x 3 steps.
    expect(calls).toEqual(['broadcast', 'broadcast', ...Array<string>(6).fill('allReduceMean')]);
    plain.dispose();
    solo.dispose();
  });

  it('stops every worker after the step in which one was asked to, with a checkpoint only the chief writes', async () => {
    const controller = new AbortController();
    controller.abort();
    const chiefStore = memoryCheckpointStore();
    const chief = await train(linearVae(), data, { epochs: 1, batchSize: 16, checkpoint: chiefStore, signal: controller.signal, distributed: soloCluster() });
    // The stop flag travels with the step's all-reduce, so the step it rides on is taken first.
    expect(chief).toMatchObject({ status: 'aborted', steps: 1 });
    expect(await chiefStore.load()).not.toBeNull();
    const otherStore = memoryCheckpointStore();
    await train(linearVae(), data, { epochs: 1, batchSize: 16, checkpoint: otherStore, distributed: { ...soloCluster(), isChief: false } });
    expect(await otherStore.load()).toBeNull();
  });

  it('aborts the cluster when a worker fails, so no peer waits for it', async () => {
    const calls: string[] = [];
    const failing = { ...data, batch: () => Promise.reject(new Error('the disk is gone')) };
    await expect(train(linearVae(), failing, { epochs: 1, batchSize: 16, distributed: soloCluster(calls) })).rejects.toThrow('the disk is gone');
    expect(calls.at(-1)).toBe('abort: worker 0 stopped: the disk is gone');
  });
});
