import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { NATIVE_EXTENSIONS_VERSION, listBackends, useBackend } from '@vaekit/backends';
import type { BackendInfo, NativeBindingExtensions } from '@vaekit/backends';
import { nativeCompiledSteps } from '@vaekit/backends/native';

import { DT_FLOAT, DT_INT32, graphDef, placeholder } from './graphdef.js';

// vaekit's patch to tfjs-node's binding, on the real native backend of this workspace. The workspace setup
// (`pnpm install`, or `node scripts/setup-native.mjs`) builds the addon with the patch, so an addon without
// it fails every test here with the reason, in CI (VAEKIT_REQUIRE_NATIVE=1) and everywhere else: nothing is
// skipped.

/** The parts of tfjs-node's binding these tests drive, next to what the patch adds. */
interface Binding extends NativeBindingExtensions {
  createTensor(shape: number[], dtype: number, values: Float32Array | Int32Array): number;
  deleteTensor(id: number): void;
  tensorDataSync(id: number): Float32Array | Int32Array | Uint8Array;
  executeOp(name: string, attrs: unknown[], inputIds: number[], numOutputs: number): { id: number; shape: number[]; dtype: number }[];
  getNumOfTensors(): number;
  TF_FLOAT: number;
}

/** tfjs-node's backend class, reached through tfjs-core's registry; its typings are not imported here. */
interface NodeBackend {
  binding: Binding;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
}

// A two-input graph with a two-output function over it: sq = a², sum = a + b.
const SUM_AND_SQUARE = graphDef([
  placeholder('a'),
  placeholder('b'),
  { name: 'sum', op: 'AddV2', inputs: ['a', 'b'], types: { T: DT_FLOAT } },
  { name: 'sq', op: 'Square', inputs: ['a'], types: { T: DT_FLOAT } },
]);

let info: BackendInfo;
let backend: NodeBackend;
let binding: Binding;

beforeAll(async () => {
  info = await useBackend('native');
  backend = tf.backend() as unknown as NodeBackend;
  binding = backend.binding;
});

/** Fails (never skips) a test when the addon lacks the patch, saying why and what to run. */
function requirePatch(): void {
  const required = process.env['VAEKIT_REQUIRE_NATIVE'] === '1' ? ' (VAEKIT_REQUIRE_NATIVE=1)' : '';
  expect(info.compiledSteps, `compiled steps unavailable${required}: ${info.compiledStepsReason ?? ''}`).toBe(true);
}

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`);
  }
  throw new Error('did not throw');
}

describe("vaekit's binding extensions on the native backend", () => {
  it('are in the addon the workspace setup built, and BackendInfo says compiled steps are available', async () => {
    requirePatch();
    expect(info.compiledStepsReason).toBeUndefined();
    expect(binding.vaekitExtensions).toBe(NATIVE_EXTENSIONS_VERSION);
    for (const name of ['registerGraphAsFunction', 'hasFunction', 'removeFunction'] as const) {
      expect(typeof binding[name], name).toBe('function');
    }
    expect(await nativeCompiledSteps()).toEqual({ available: true, version: NATIVE_EXTENSIONS_VERSION });
    const listed = (await listBackends()).find((b) => b.name === 'native');
    expect(listed?.info?.compiledSteps).toBe(true);
  });

  it('registers a GraphDef as a function that executeOp runs by name, with "node" and "node:index" outputs', () => {
    requirePatch();
    const tensorsBefore = binding.getNumOfTensors();
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_sum_square', ['a', 'b'], ['sq', 'sum:0']);
    const a = binding.createTensor([3], binding.TF_FLOAT, new Float32Array([1, 2, 3]));
    const b = binding.createTensor([3], binding.TF_FLOAT, new Float32Array([10, 20, 30]));
    const outputs = binding.executeOp('vaekit_test_sum_square', [], [a, b], 2);
    expect(outputs.map((o) => o.shape)).toEqual([[3], [3]]);
    expect(outputs.map((o) => Array.from(binding.tensorDataSync(o.id)))).toEqual([
      [1, 4, 9],
      [11, 22, 33],
    ]);
    for (const id of [a, b, ...outputs.map((o) => o.id)]) binding.deleteTensor(id);
    expect(binding.getNumOfTensors()).toBe(tensorsBefore);
  });

  it("runs through the backend's executeMultipleOutputs on tfjs tensors, int32 too", () => {
    requirePatch();
    const squareInt = graphDef([placeholder('x', DT_INT32), { name: 'y', op: 'Square', inputs: ['x'], types: { T: DT_INT32 } }]);
    binding.registerGraphAsFunction(squareInt, 'vaekit_test_square_int', ['x'], ['y']);
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_sum_square_2', ['a', 'b'], ['sum', 'sq']);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const [y] = backend.executeMultipleOutputs('vaekit_test_square_int', [], [tf.tensor1d([-3, 4], 'int32')], 1);
      expect(y?.dtype).toBe('int32');
      expect(Array.from(y?.dataSync() ?? [])).toEqual([9, 16]);
      const a = tf.tensor2d([[1, 2], [3, 4]]);
      const [sum, sq] = backend.executeMultipleOutputs('vaekit_test_sum_square_2', [], [a, tf.onesLike(a)], 2);
      expect(sum?.shape).toEqual([2, 2]);
      expect(Array.from(sum?.dataSync() ?? [])).toEqual([2, 3, 4, 5]);
      expect(Array.from(sq?.dataSync() ?? [])).toEqual([1, 4, 9, 16]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hasFunction and removeFunction follow the context; removing twice throws with TensorFlow\'s message', () => {
    requirePatch();
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_removed', ['a', 'b'], ['sum']);
    expect(binding.hasFunction('vaekit_test_removed')).toBe(true);
    expect(binding.hasFunction('vaekit_test_never_registered')).toBe(false);
    binding.removeFunction('vaekit_test_removed');
    expect(binding.hasFunction('vaekit_test_removed')).toBe(false);
    const again = thrown(() => binding.removeFunction('vaekit_test_removed'));
    expect(again.message).toMatch(/removeFunction\('vaekit_test_removed'\): .*non-existent function/);
    const a = binding.createTensor([1], binding.TF_FLOAT, new Float32Array([1]));
    expect(() => binding.executeOp('vaekit_test_removed', [], [a, a], 1)).toThrow(/vaekit_test_removed/);
    binding.deleteTensor(a);
  });

  it('counts registrations as TensorFlow does: the same definition twice needs two removals', () => {
    requirePatch();
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_twice', ['a', 'b'], ['sum']);
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_twice', ['a', 'b'], ['sum']);
    binding.removeFunction('vaekit_test_twice');
    expect(binding.hasFunction('vaekit_test_twice')).toBe(true);
    binding.removeFunction('vaekit_test_twice');
    expect(binding.hasFunction('vaekit_test_twice')).toBe(false);
  });

  it('a GraphDef that does not import throws an Error with TensorFlow\'s message, registers nothing, and the backend carries on', () => {
    requirePatch();
    const garbage = thrown(() =>
      binding.registerGraphAsFunction(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x01, 0x02]), 'vaekit_test_garbage', [], []),
    );
    expect(garbage.message).toMatch(/^registerGraphAsFunction\('vaekit_test_garbage'\): the GraphDef does not import: .+/);
    const unknownOp = thrown(() =>
      binding.registerGraphAsFunction(graphDef([{ name: 'x', op: 'NoSuchOpAnywhere' }]), 'vaekit_test_unknown_op', [], ['x']),
    );
    expect(unknownOp.message).toMatch(/does not import: .*NoSuchOpAnywhere/);
    const badInput = thrown(() =>
      binding.registerGraphAsFunction(graphDef([{ name: 's', op: 'Square', inputs: ['nowhere'], types: { T: DT_FLOAT } }]), 'vaekit_test_bad_input', [], ['s']),
    );
    expect(badInput.message).toMatch(/does not import: .*nowhere/);
    for (const name of ['vaekit_test_garbage', 'vaekit_test_unknown_op', 'vaekit_test_bad_input']) {
      expect(binding.hasFunction(name), name).toBe(false);
    }
    const sum = tf.tidy(() => Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()));
    expect(sum).toEqual([4, 6]);
  });

  it('inputs and outputs that do not resolve throw, naming the ref', () => {
    requirePatch();
    const register = (inputs: string[], outputs: string[]) => () =>
      binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_refs', inputs, outputs);
    expect(thrown(register(['a', 'missing'], ['sum'])).message).toMatch(/input 'missing': the GraphDef has no node named 'missing'/);
    expect(thrown(register(['a', 'b'], ['nothing:0'])).message).toMatch(/output 'nothing:0': the GraphDef has no node named 'nothing'/);
    expect(thrown(register(['a', 'b'], ['sum:1'])).message).toMatch(/node 'sum' \(AddV2\) has 1 output\(s\), so it has no output 1/);
    const badRef = thrown(register(['a', 'b'], ['sum:one']));
    expect(badRef).toBeInstanceOf(TypeError);
    expect(badRef.message).toMatch(/output ref 'sum:one' is neither 'node' nor 'node:index'/);
    expect(binding.hasFunction('vaekit_test_refs')).toBe(false);
  });

  it('TensorFlow refuses a taken name with another definition, and an op\'s name', () => {
    requirePatch();
    binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_taken', ['a', 'b'], ['sum']);
    expect(thrown(() => binding.registerGraphAsFunction(SUM_AND_SQUARE, 'vaekit_test_taken', ['a', 'b'], ['sq'])).message).toMatch(
      /TensorFlow did not add the function: .*vaekit_test_taken/,
    );
    expect(thrown(() => binding.registerGraphAsFunction(SUM_AND_SQUARE, 'Square', ['a', 'b'], ['sum'])).message).toMatch(
      /an op with the same name already exists/,
    );
    binding.removeFunction('vaekit_test_taken');
  });

  it('arguments of the wrong kind are TypeErrors', () => {
    requirePatch();
    // The casts hand the binding what a JS caller without types could.
    const loose = binding as unknown as Record<string, (...args: unknown[]) => unknown>;
    const cases: [() => unknown, RegExp][] = [
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, 'x'), /takes 4 argument\(s\), got 2/],
      [() => loose['registerGraphAsFunction']?.([1, 2], 'x', [], []), /graphDef must be a Uint8Array/],
      [() => loose['registerGraphAsFunction']?.(new Float32Array(2), 'x', [], []), /graphDef must be a Uint8Array/],
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, 7, [], []), /name must be a string/],
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, '', [], []), /name must not be empty/],
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, 'x', 'a', []), /inputNodeNames must be an array of strings/],
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, 'x', ['a', 3], []), /inputNodeNames\[1\] must be a string/],
      [() => loose['registerGraphAsFunction']?.(SUM_AND_SQUARE, 'x', [], ['a\0b']), /outputRefs\[0\] must not contain a NUL/],
      [() => loose['hasFunction']?.(), /hasFunction\(name\) takes 1 argument\(s\), got 0/],
      [() => loose['removeFunction']?.(null), /removeFunction: name must be a string/],
    ];
    for (const [fn, message] of cases) {
      const error = thrown(fn);
      expect(error, String(message)).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(message);
    }
  });
});
