import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { NATIVE_EXTENSIONS_VERSION, collectiveOpsSupport, useBackend } from '@vaekit/backends';
import type { NativeCollectiveOps } from '@vaekit/backends';

// The collective-ops half of vaekit's binding patch, on the real native addon, without starting a server:
// argument checks and a ServerDef TensorFlow refuses. Clusters themselves are tested, inside a private
// network namespace, by @vaekit/distributed.

const fn = (): void => undefined;
const complete = {
  enableCollectiveOps: fn,
  abortCollectiveOps: fn,
  collectiveOpsCheckPeerHealth: fn,
  waitAtBarrier: fn,
  vaekitExtensions: NATIVE_EXTENSIONS_VERSION,
};

/** Runs `fn` and returns what it threw. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`);
  }
  throw new Error('did not throw');
}

describe('collectiveOpsSupport', () => {
  it('accepts a binding with every function at this version', () => {
    expect(collectiveOpsSupport(complete)).toEqual({ available: true });
  });

  it('says which functions are missing', () => {
    const { waitAtBarrier: _, ...partial } = complete;
    expect(collectiveOpsSupport(partial)).toMatchObject({ available: false, reason: expect.stringContaining('lacks waitAtBarrier') as unknown });
  });

  it('refuses an addon from another revision of the patch, or none', () => {
    expect(collectiveOpsSupport({ ...complete, vaekitExtensions: 1 })).toMatchObject({
      available: false,
      reason: expect.stringContaining(`extensions v1; collective ops need v${NATIVE_EXTENSIONS_VERSION}`) as unknown,
    });
    expect(collectiveOpsSupport({ executeOp: fn })).toMatchObject({ available: false, reason: expect.stringContaining('no vaekit binding extensions') as unknown });
    expect(collectiveOpsSupport(undefined)).toMatchObject({ available: false });
  });
});

describe('the native binding', () => {
  let binding: NativeCollectiveOps;

  beforeAll(async () => {
    await useBackend('native');
    const candidate = (tf.backend() as unknown as { binding: unknown }).binding;
    const support = collectiveOpsSupport(candidate);
    // Fails, never skips: the workspace's setup builds the addon with the patch.
    expect(support, support.available ? '' : support.reason).toEqual({ available: true });
    binding = candidate as NativeCollectiveOps;
  });

  it('refuses timeouts that would mean "wait forever", or are not whole milliseconds', () => {
    for (const timeout of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = thrown(() => binding.collectiveOpsCheckPeerHealth('/job:worker/replica:0/task:0', timeout));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toContain('timeoutMs must be a whole number of milliseconds, at least 1');
    }
    expect(thrown(() => binding.waitAtBarrier('b', 0))).toBeInstanceOf(TypeError);
    expect(thrown(() => binding.waitAtBarrier('b', '10' as unknown as number))).toBeInstanceOf(TypeError);
  });

  it('checks the kinds of its arguments', () => {
    expect(thrown(() => binding.enableCollectiveOps([1, 2] as unknown as Uint8Array, '/job:worker/replica:0/task:0'))).toBeInstanceOf(TypeError);
    expect(thrown(() => binding.enableCollectiveOps(new Uint8Array(0), 'worker:0')).message).toContain('localTask must name a task');
    expect(thrown(() => binding.abortCollectiveOps(7 as unknown as string))).toBeInstanceOf(TypeError);
    expect(thrown(() => (binding.collectiveOpsCheckPeerHealth as (...args: unknown[]) => void)('/job:w/replica:0/task:0'))).toBeInstanceOf(TypeError);
  });

  it("throws TensorFlow's message for a ServerDef it cannot parse, and keeps running", () => {
    const err = thrown(() => binding.enableCollectiveOps(Uint8Array.from([0xff, 0xff, 0xff]), '/job:worker/replica:0/task:0'));
    expect(err.message).toMatch(/^enableCollectiveOps\(\/job:worker\/replica:0\/task:0\): .*ServerDef/);
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });
});
