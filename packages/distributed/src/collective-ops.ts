// TensorFlow's V2 collective ops, run eagerly through tfjs-node's executeOp. Every worker must issue the
// same collectives in the same order: each gets the next instance key from a counter that every worker
// advances identically, which is how TensorFlow matches the pieces of one collective across processes.

import * as tf from '@tensorflow/tfjs-core';

import type { FusableDType } from './fuse.js';
import type { NativeBackend, OpAttr } from './native-backend.js';

/** How an all-reduce combines the workers' values. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod';

const MERGE: Record<ReduceOp, string> = { sum: 'Add', mean: 'Add', max: 'Max', min: 'Min', prod: 'Mul' };

/** Every ReduceOp, for checks and option lists. */
export const REDUCE_OPS = Object.keys(MERGE) as readonly ReduceOp[];

// Instance keys for collectives inside compiled steps start far above the eager counter's, so neither range
// ever reaches the other and no key is used twice in a process.
const FIRST_STEP_KEY = 1 << 24;

export class CollectiveOps {
  private nextInstanceKey = 1;
  private nextStepKey = FIRST_STEP_KEY;

  constructor(
    private readonly backend: NativeBackend,
    readonly groupSize: number,
    // One group: every task of the cluster takes part in every collective.
    private readonly groupKey = 1,
    // 0: no per-op timeout. The coordination service's heartbeats catch a lost or hung peer instead, where a
    // per-op timeout would also fire on a healthy peer that is merely slow.
    private readonly timeoutSeconds = 0,
  ) {}

  private dtypeOf(dtype: FusableDType): number {
    return dtype === 'int32' ? this.backend.binding.TF_INT32 : this.backend.binding.TF_FLOAT;
  }

  private attrs(dtype: FusableDType): OpAttr[] {
    const b = this.backend.binding;
    return [
      { name: 'T', type: b.TF_ATTR_TYPE, value: this.dtypeOf(dtype) },
      { name: 'communication_hint', type: b.TF_ATTR_STRING, value: 'auto' },
      { name: 'timeout_seconds', type: b.TF_ATTR_FLOAT, value: this.timeoutSeconds },
    ];
  }

  /**
   * A key for a collective whose instance key is an input of a compiled step: each run of the step is fed a
   * fresh one. Every worker reserves keys in the same order, so they agree on them.
   */
  reserveStepKey(): number {
    return this.nextStepKey++;
  }

  /** group_size, group_key and the instance_key (a fresh one unless given), the inputs every V2 collective takes. */
  private keys(instanceKey?: number): tf.Tensor[] {
    return [
      tf.scalar(this.groupSize, 'int32'),
      tf.scalar(this.groupKey, 'int32'),
      tf.scalar(instanceKey ?? this.nextInstanceKey++, 'int32'),
    ];
  }

  /**
   * The element-wise reduction of `x` over every worker; each gets the result. `instanceKey`, from
   * `reserveStepKey`, is for a step being traced: its key tensor becomes an input the step is fed.
   */
  allReduce(x: tf.Tensor1D, op: ReduceOp, instanceKey?: number): tf.Tensor1D {
    const b = this.backend.binding;
    return tf.tidy(() =>
      this.backend.executeSingleOutput(
        'CollectiveReduceV2',
        [
          ...this.attrs(x.dtype as FusableDType),
          { name: 'merge_op', type: b.TF_ATTR_STRING, value: MERGE[op] },
          { name: 'final_op', type: b.TF_ATTR_STRING, value: op === 'mean' ? 'Div' : 'Id' },
          { name: 'is_stateless', type: b.TF_ATTR_BOOL, value: false },
          { name: 'Nordering_token', type: b.TF_ATTR_INT, value: 0 },
          { name: 'max_subdivs_per_device', type: b.TF_ATTR_INT, value: -1 },
        ],
        [x, ...this.keys(instanceKey)],
      ),
    ) as tf.Tensor1D;
  }

  /** Every worker's `x`, concatenated in rank order; each gets the result. */
  allGather(x: tf.Tensor1D): tf.Tensor1D {
    const b = this.backend.binding;
    return tf.tidy(() =>
      this.backend.executeSingleOutput(
        'CollectiveGatherV2',
        [
          ...this.attrs(x.dtype as FusableDType),
          { name: 'is_stateless', type: b.TF_ATTR_BOOL, value: false },
          { name: 'Nordering_token', type: b.TF_ATTR_INT, value: 0 },
        ],
        [x, ...this.keys()],
      ),
    ) as tf.Tensor1D;
  }

  /** The root's side of a broadcast: sends `x`, and gets it back. */
  broadcastSend(x: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() =>
      this.backend.executeSingleOutput('CollectiveBcastSendV2', this.attrs(x.dtype as FusableDType), [x, ...this.keys()]),
    ) as tf.Tensor1D;
  }

  /** Every other worker's side: receives `size` values of `dtype` from the root. */
  broadcastReceive(size: number, dtype: FusableDType): tf.Tensor1D {
    const b = this.backend.binding;
    return tf.tidy(() =>
      this.backend.executeSingleOutput(
        'CollectiveBcastRecvV2',
        [...this.attrs(dtype), { name: 'Tshape', type: b.TF_ATTR_TYPE, value: b.TF_INT32 }],
        [...this.keys(), tf.tensor1d([size], 'int32')],
      ),
    ) as tf.Tensor1D;
  }
}
