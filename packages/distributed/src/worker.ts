// One process of a synchronous data-parallel cluster: starts TensorFlow's distributed runtime in this
// process, waits until every peer is up, and offers fused all-reduce and broadcast of tfjs tensors.

import * as tf from '@tensorflow/tfjs-core';

import { CollectiveOps, REDUCE_OPS } from './collective-ops.js';
import type { ReduceOp } from './collective-ops.js';
import { DistributedError } from './errors.js';
import { fuse, unfuse } from './fuse.js';
import type { FusableDType } from './fuse.js';
import { describeTask, describeTasks, findLostPeers } from './lost-peers.js';
import { nativeBackend } from './native-backend.js';
import type { NativeBackend } from './native-backend.js';
import { buildServerDef } from './server-def.js';
import { reclaimSigterm } from './sigterm.js';
import type { ServerDefOptions } from './server-def.js';
import type { ClusterConfig } from './tf-config.js';

/** `startWorker`'s bounds, in milliseconds, beside the ServerDef's. */
export interface StartWorkerOptions extends ServerDefOptions {
  /**
   * How long this worker waits for every peer to start, in milliseconds; a peer missing after it is named
   * in the error. Also the coordination service's registration timeout unless `registerTimeoutMs` is given.
   * Default 60,000.
   */
  readonly startTimeoutMs?: number;
  /** How long each peer gets to answer the health check that names lost peers after a failure. Default 2,000. */
  readonly peerCheckTimeoutMs?: number;
}

/** This process's membership of the cluster. */
export interface DistributedWorker {
  /** The cluster it was started with. */
  readonly config: ClusterConfig;
  /** 0 for the chief (or worker 0 without one), then the workers in order. */
  readonly rank: number;
  /** How many tasks take part in every collective. */
  readonly size: number;
  /** The TensorFlow device this process's ops run on, `/job:worker/replica:0/task:1/device:CPU:0`. */
  readonly device: string;
  /**
   * The element-wise reduction of each tensor over all workers, as new tensors of the same shapes (the
   * caller disposes them; the inputs are left alone). Every worker must call it with tensors of the same
   * shapes and dtype, in the same order of collectives. All travel as one fused collective.
   */
  allReduce(tensors: readonly tf.Tensor[], op?: ReduceOp, options?: StepCollectiveOptions): tf.Tensor[];
  /**
   * An instance key for a collective inside a compiled step (see StepCollectiveOptions). Every worker must
   * reserve keys in the same order.
   */
  reserveStepKey(): number;
  /**
   * The cluster's error for a step that failed while it carried a collective (a compiled step, which runs
   * its collective inside TensorFlow): it names the peers that no longer answer.
   */
  stepFailure(err: unknown): DistributedError;
  /**
   * Every worker's values of each tensor, concatenated along the first axis in rank order (scalars are
   * stacked): tensor i of shape [d0, ...] comes back as [size * d0, ...]. Same contract as allReduce.
   */
  allGather(tensors: readonly tf.Tensor[]): tf.Tensor[];
  /** Rank `fromRank`'s values of each tensor, on every worker, as new tensors (same contract as allReduce). */
  broadcast(tensors: readonly tf.Tensor[], fromRank?: number): tf.Tensor[];
  /**
   * Fails every pending and later collective of this process with `reason` (TensorFlow cannot undo it); a
   * peer's collective with it fails with the same reason, so no peer waits on it. For a worker that must stop.
   */
  abort(reason: string): void;
}

/** For a collective recorded into a compiled step. */
export interface StepCollectiveOptions {
  /**
   * The collective's instance key, from `reserveStepKey`. Its key tensor is made from this number, so a
   * compiled step takes it as an input and each run is fed a fresh key: no key is ever used twice.
   */
  readonly instanceKey?: number;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_PEER_CHECK_TIMEOUT_MS = 2_000;
const START_BARRIER = 'vaekit/start';

// TensorFlow runs one collective runtime per process, for the process's lifetime.
let started = false;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function checkMs(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of milliseconds, at least 1; got ${String(value)}`);
  }
  return value;
}

class Worker implements DistributedWorker {
  private failure: DistributedError | undefined;

  constructor(
    readonly config: ClusterConfig,
    readonly device: string,
    private readonly backend: NativeBackend,
    private readonly ops: CollectiveOps,
    private readonly peerCheckTimeoutMs: number,
  ) {}

  get rank(): number {
    return this.config.self.rank;
  }

  get size(): number {
    return this.config.tasks.length;
  }

  allReduce(tensors: readonly tf.Tensor[], op: ReduceOp = 'sum', options: StepCollectiveOptions = {}): tf.Tensor[] {
    if (!REDUCE_OPS.includes(op)) throw new TypeError(`allReduce: op must be one of ${REDUCE_OPS.join(', ')}; got ${String(op)}`);
    const { instanceKey } = options;
    if (instanceKey !== undefined && (!Number.isSafeInteger(instanceKey) || instanceKey < 1 || instanceKey > 0x7fffffff)) {
      throw new RangeError(`allReduce: instanceKey must be a key from reserveStepKey; got ${String(instanceKey)}`);
    }
    return this.fused('all-reduce', tensors, (flat) => this.ops.allReduce(flat, op, instanceKey));
  }

  reserveStepKey(): number {
    return this.ops.reserveStepKey();
  }

  stepFailure(err: unknown): DistributedError {
    if (err instanceof DistributedError) return err;
    return this.failure ?? this.fail('a compiled step', err);
  }

  allGather(tensors: readonly tf.Tensor[]): tf.Tensor[] {
    return this.fused(
      'all-gather',
      tensors,
      (flat) => this.ops.allGather(flat),
      (gathered) => {
        // One fused buffer per rank, each split back into that rank's tensors, then joined tensor by tensor.
        const byRank = tf.split(gathered, this.size).map((buffer) => unfuse(buffer as tf.Tensor1D, tensors));
        return tensors.map((t, i) => {
          const pieces = byRank.map((rankTensors) => rankTensors[i]!);
          return t.rank === 0 ? tf.stack(pieces) : tf.concat(pieces, 0);
        });
      },
    );
  }

  broadcast(tensors: readonly tf.Tensor[], fromRank = 0): tf.Tensor[] {
    if (!Number.isInteger(fromRank) || fromRank < 0 || fromRank >= this.size) {
      throw new RangeError(`broadcast: fromRank must be a rank from 0 to ${this.size - 1}; got ${fromRank}`);
    }
    return this.fused('broadcast', tensors, (flat) =>
      fromRank === this.rank ? this.ops.broadcastSend(flat) : this.ops.broadcastReceive(flat.size, flat.dtype as FusableDType),
    );
  }

  abort(reason: string): void {
    // TensorFlow's own abort, not just a flag here: a collective already queued in TensorFlow fails too.
    this.backend.binding.abortCollectiveOps(reason);
  }

  private fused(
    what: string,
    tensors: readonly tf.Tensor[],
    collective: (flat: tf.Tensor1D) => tf.Tensor1D,
    split: (result: tf.Tensor1D) => tf.Tensor[] = (result) => unfuse(result, tensors),
  ): tf.Tensor[] {
    if (this.failure !== undefined) throw this.failure;
    if (tensors.length === 0) return [];
    return tf.tidy(() => {
      const flat = fuse(tensors);
      let result: tf.Tensor1D;
      try {
        result = collective(flat);
      } catch (err) {
        throw this.fail(what, err);
      }
      return split(result);
    });
  }

  /** Records the failure (TensorFlow refuses every later collective) and names the peers that are gone. */
  private fail(what: string, err: unknown): DistributedError {
    const lost = findLostPeers(this.backend.binding, this.config, this.peerCheckTimeoutMs);
    const who =
      lost.length > 0
        ? `lost ${describeTasks(lost)}`
        : `every peer still answers, so the failure is in a collective itself`;
    this.failure = new DistributedError(`${what} failed on ${describeTask(this.config.self)}: ${who}.`, lost.map((t) => t.name), {
      cause: err,
      remedy: 'Restart every worker (from the last checkpoint).',
      tensorflowSaid: messageOf(err),
    });
    return this.failure;
  }
}

function join(backend: NativeBackend, config: ClusterConfig, options: StartWorkerOptions, startMs: number, peerMs: number): string {
  const serverDef = buildServerDef(config, { ...options, registerTimeoutMs: options.registerTimeoutMs ?? startMs });
  try {
    // Blocks until every task has registered with the coordination leader, or the registration timeout.
    return backend.binding.enableCollectiveOps(serverDef, config.self.name);
  } catch (err) {
    const lost = findLostPeers(backend.binding, config, peerMs);
    const who = lost.length > 0 ? `not up: ${describeTasks(lost)}` : 'every peer answers now; one may have started late';
    throw new DistributedError(`${describeTask(config.self)} could not join the cluster (${who}).`, lost.map((t) => t.name), {
      cause: err,
      tensorflowSaid: messageOf(err),
    });
  }
}

/** Confirms, after registration, that every task is past its start-up, and that one tiny all-reduce sees all of them. */
function startBarrier(worker: Worker, backend: NativeBackend, config: ClusterConfig, startMs: number, peerMs: number): void {
  try {
    backend.binding.waitAtBarrier(START_BARRIER, startMs);
  } catch (err) {
    const lost = findLostPeers(backend.binding, config, peerMs);
    const who = lost.length > 0 ? `not up: ${describeTasks(lost)}` : 'no peer is down now; one may have started late';
    throw new DistributedError(`${describeTask(config.self)}: the cluster did not assemble within ${startMs} ms (${who}).`, lost.map((t) => t.name), {
      cause: err,
      tensorflowSaid: messageOf(err),
    });
  }
  const seen = tf.tidy(() => worker.allReduce([tf.ones([1], 'int32')])[0]!.dataSync()[0]);
  if (seen !== config.tasks.length) {
    throw new DistributedError(
      `the start all-reduce counted ${seen} tasks where TF_CONFIG lists ${config.tasks.length}: ` +
        'every task must be given the same cluster',
    );
  }
}

/**
 * Starts this process's part of the cluster on the native backend (which must be active): its gRPC server,
 * the coordination service's heartbeats, and collectives; returns once every peer is up. Bounded in time: a
 * peer missing after `startTimeoutMs` makes it throw a DistributedError naming it. Once per process.
 *
 * SIGTERM keeps Node's meaning (the process's listeners, else the process ends), which TensorFlow's own
 * handler would otherwise replace.
 *
 * Security: the gRPC server listens on every interface of the machine, unauthenticated, and runs what it is
 * sent. Run it only inside a private network.
 */
export function startWorker(config: ClusterConfig, options: StartWorkerOptions = {}): DistributedWorker {
  const startMs = checkMs(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, 'startTimeoutMs');
  const peerMs = checkMs(options.peerCheckTimeoutMs ?? DEFAULT_PEER_CHECK_TIMEOUT_MS, 'peerCheckTimeoutMs');
  const backend = nativeBackend();
  if (started) throw new DistributedError('startWorker was already called in this process; TensorFlow allows it once');
  started = true;
  const device = join(backend, config, options, startMs, peerMs);
  reclaimSigterm();
  const worker = new Worker(config, device, backend, new CollectiveOps(backend, config.tasks.length), peerMs);
  startBarrier(worker, backend, config, startMs, peerMs);
  return worker;
}
