import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { DistributedError, parseTfConfig, startWorker } from '@vaekit/distributed';

// What startWorker refuses before it touches TensorFlow's runtime or the network.

const config = parseTfConfig('{"cluster":{"worker":["127.0.0.1:24100","127.0.0.1:24101"]},"task":{"type":"worker","index":0}}');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('startWorker', () => {
  it('needs the native backend, and says how to get it', () => {
    let caught: unknown;
    try {
      startWorker(config);
    } catch (err) {
      caught = err;
    }
    expect(DistributedError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/runs on the native backend \(tfjs-node\), and the active backend is cpu: call useBackend\('native'\)/);
  });

  it('refuses timeouts that are not whole positive milliseconds, before anything starts', () => {
    expect(() => startWorker(config, { startTimeoutMs: 0 })).toThrow(/startTimeoutMs must be a whole number of milliseconds/);
    expect(() => startWorker(config, { peerCheckTimeoutMs: 2.5 })).toThrow(/peerCheckTimeoutMs must be a whole number of milliseconds/);
  });
});
