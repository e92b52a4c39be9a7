// TensorFlow's distributed collectives, reached through vaekit's patch to tfjs-node's binding (native-patch/
// in this package). @vaekit/distributed builds on them; they are typed and checked here, beside the patch.

import { NATIVE_EXTENSIONS_VERSION } from './compiled-steps.js';

/**
 * What vaekit's patch adds to tfjs-node's binding for collective ops. Every call blocks the JS thread until
 * TensorFlow answers, and each wait on another process is bounded by a timeout. Failures throw an Error
 * carrying TensorFlow's message; arguments of the wrong kind a TypeError.
 */
export interface NativeCollectiveOps {
  /**
   * Starts this task's gRPC server from a serialized `tensorflow.ServerDef` (TFE_EnableCollectiveOps), so
   * collective ops run across the cluster, then makes `localTask`'s device (`/job:worker/replica:0/task:1`)
   * the binding's default. Returns that device's name. Once per process: TensorFlow cannot undo it.
   */
  enableCollectiveOps(serverDef: Uint8Array, localTask: string): string;
  /** Fails every pending and later collective of this process with `message` (TFE_AbortCollectiveOps). */
  abortCollectiveOps(message: string): void;
  /** Throws unless the task (`/job:worker/replica:0/task:0`) answers within `timeoutMs` (at least 1). */
  collectiveOpsCheckPeerHealth(task: string, timeoutMs: number): void;
  /**
   * The coordination service's barrier: returns once every task has reached `barrierId`; throws after
   * `timeoutMs` (at least 1). Needs the coordination service configured in the ServerDef.
   */
  waitAtBarrier(barrierId: string, timeoutMs: number): void;
}

export type CollectiveOpsSupport = { available: true } | { available: false; reason: string };

const FUNCTIONS = ['enableCollectiveOps', 'abortCollectiveOps', 'collectiveOpsCheckPeerHealth', 'waitAtBarrier'] as const;

const REBUILD =
  'run `npx vaekit-native-setup` (`node scripts/setup-native.mjs` in the vaekit workspace) to rebuild it with vaekit\'s patch';

/** Whether a tfjs-node binding object carries the collective-ops extensions, and if not, why. */
export function collectiveOpsSupport(binding: unknown): CollectiveOpsSupport {
  if (typeof binding !== 'object' || binding === null) {
    return { available: false, reason: 'the native backend exposes no tfjs-node binding' };
  }
  const fields = binding as Record<string, unknown>;
  const version = fields['vaekitExtensions'];
  if (typeof version !== 'number' || version !== NATIVE_EXTENSIONS_VERSION) {
    const has = typeof version === 'number' ? `vaekit's binding extensions v${version}` : 'no vaekit binding extensions';
    return {
      available: false,
      reason: `tfjs-node's addon has ${has}; collective ops need v${NATIVE_EXTENSIONS_VERSION}: ${REBUILD}`,
    };
  }
  const missing = FUNCTIONS.filter((name) => typeof fields[name] !== 'function');
  if (missing.length > 0) {
    return { available: false, reason: `tfjs-node's addon lacks ${missing.join(', ')}: ${REBUILD}` };
  }
  return { available: true };
}
