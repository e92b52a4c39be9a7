import fs from 'node:fs';
import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { registerNative } from '@vaekit/backends/native';
import { registerWasm } from '@vaekit/backends/wasm';

// Two copies of tfjs-core in one program means two sets of tensor classes and kernels that silently do not
// see each other. Check it three ways: on disk, through the live engine, and through tfjs-node's exports.
const here = createRequire(import.meta.url);
const BACKEND_PACKAGES = [
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-node',
];

function coreSeenFrom(pkg: string): string {
  const pkgJson = fs.realpathSync(here.resolve(`${pkg}/package.json`));
  const fromThere = createRequire(pkgJson);
  return fs.realpathSync(fromThere.resolve('@tensorflow/tfjs-core/package.json'));
}

describe('exactly one @tensorflow/tfjs-core', () => {
  it('every backend package resolves the same tfjs-core on disk, at 4.22.0', () => {
    const ours = fs.realpathSync(here.resolve('@tensorflow/tfjs-core/package.json'));
    for (const pkg of BACKEND_PACKAGES) expect(coreSeenFrom(pkg), pkg).toBe(ours);
    const version = (JSON.parse(fs.readFileSync(ours, 'utf8')) as { version: string }).version;
    expect(version).toBe('4.22.0');
    for (const pkg of BACKEND_PACKAGES) {
      const json = JSON.parse(fs.readFileSync(here.resolve(`${pkg}/package.json`), 'utf8')) as { version: string };
      expect(json.version, pkg).toBe('4.22.0');
    }
  });

  it('our tfjs-core engine sees the backend the wasm entry registered', async () => {
    await registerWasm();
    expect(tf.engine().backendNames()).toContain('wasm');
    expect(tf.engine().registryFactory['wasm']).toBeDefined();
  });

  it("tfjs-node's tensors are our tensors", async () => {
    await registerNative();
    expect(tf.engine().backendNames()).toContain('tensorflow');
    const tfnode = (await import('@tensorflow/tfjs-node')) as unknown as typeof tf;
    expect(tfnode.engine()).toBe(tf.engine());
    const mine = tf.scalar(1);
    const theirs = tfnode.scalar(2);
    expect(theirs).toBeInstanceOf(tf.Tensor);
    expect(mine).toBeInstanceOf(tfnode.Tensor);
    tf.dispose([mine, theirs]);
  });
});
