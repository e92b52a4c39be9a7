// tfjs-node's backend as this package uses it: the collective-ops binding and executeSingleOutput. Typed
// here by shape, not by importing tfjs-node (an optional peer of the backends package, loaded on demand).

import * as tf from '@tensorflow/tfjs-core';
import { collectiveOpsSupport } from '@vaekit/backends';
import type { NativeCollectiveOps } from '@vaekit/backends';

import { DistributedError } from './errors.js';

/** One attribute of an op, as tfjs-node's executeOp takes it. */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: string | number | boolean;
}

export interface NativeBinding extends NativeCollectiveOps {
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_TYPE: number;
}

export interface NativeBackend {
  readonly binding: NativeBinding;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
}

/** The active tfjs backend, when it is tfjs-node's with vaekit's collective ops; else a DistributedError saying why. */
export function nativeBackend(): NativeBackend {
  const name = tf.getBackend();
  if (name !== 'tensorflow') {
    throw new DistributedError(
      `distributed training runs on the native backend (tfjs-node), and the active backend is ${name ?? 'none'}: ` +
        "call useBackend('native') from @vaekit/backends first",
    );
  }
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  const support = collectiveOpsSupport(backend.binding);
  if (!support.available) throw new DistributedError(`collective ops are unavailable: ${support.reason}`);
  if (typeof backend.executeSingleOutput !== 'function') {
    throw new DistributedError('collective ops are unavailable: the native backend has no executeSingleOutput');
  }
  return backend as NativeBackend;
}
