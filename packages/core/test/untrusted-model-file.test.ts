import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as core from '../src/index.js';
import {
  decodeCheckpoint,
  deserializeModel,
  getRegisteredModel,
  serializeModel,
  type LoopState,
  type VaeModel,
} from '../src/index.js';
import {
  createOptimizer,
  decodeContainer,
  DEFAULT_OPTIMIZER,
  encodeCheckpoint,
} from '../src/internal.js';
import { CHECKED_CLASS, createTinyModel, registerTinyModels, tinyConfig, UNCHECKED_CLASS } from './fixtures/tiny-model.mjs';
import { loadModel, saveModel } from '../src/node/index.js';
import { decodeNamedTensors } from '../src/serialization/tensors.js';
import { expectRefused, headerRegionEnd, withBitFlipped } from './helpers/container-bytes.js';
import { craftedModelFile, savedTinyModel, type ModelMeta } from './helpers/crafted-model.js';
import { useCpu } from '@vaekit/test-utils';


beforeAll(async () => {
  await useCpu();
  registerTinyModels(core);
});
afterEach(() => vi.restoreAllMocks());



/** Counts calls to a registered model's factory: proof that a refusal came before anything was built. */
function watchBuilds(className: string): { readonly count: number } {
  const entry = getRegisteredModel(className);
  const spy = vi.spyOn(entry, 'create');
  return {
    get count() {
      return spy.mock.calls.length;
    },
  };
}

async function loadAndDispose(bytes: Uint8Array): Promise<void> {
  (await deserializeModel(bytes)).dispose();
}

describe('loading an untrusted model file', () => {
  it('round-trips a model of either kind of registration', async () => {
    for (const className of [CHECKED_CLASS, UNCHECKED_CLASS]) {
      const model = createTinyModel(tinyConfig(className));
      const restored = await deserializeModel(await serializeModel(model));
      expect(restored.getConfig()).toEqual(model.getConfig());
      const original = model.variables();
      restored.variables().forEach(({ name, variable }, i) => {
        expect(name).toBe(original[i]!.name);
        expect(Array.from(variable.dataSync())).toEqual(Array.from(original[i]!.variable.dataSync()));
      });
      model.dispose();
      restored.dispose();
    }
  });

  it('refuses every single-bit flip of the header, with one line and no tensor left behind', async () => {
    const bytes = await savedTinyModel(CHECKED_CLASS);
    const before = tf.memory().numTensors;
    const problems: string[] = [];
    for (let bit = 0; bit < headerRegionEnd(bytes) * 8; bit++) {
      const error: unknown = await deserializeModel(withBitFlipped(bytes, bit)).then((m) => (m.dispose(), null), (e: unknown) => e);
      if (!(error instanceof core.CorruptFileError)) problems.push(`bit ${bit}: ${error === null ? 'loaded' : String(error)}`);
      else if (/\n/.test(error.message)) problems.push(`bit ${bit}: several lines`);
      if (tf.memory().numTensors !== before) problems.push(`bit ${bit}: ${tf.memory().numTensors - before} tensors leaked`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses a sample of payload flips and every truncation, leaking nothing', async () => {
    const bytes = await savedTinyModel(UNCHECKED_CLASS);
    const start = headerRegionEnd(bytes) * 8;
    for (let bit = start; bit < bytes.byteLength * 8; bit += 37) {
      await expectRefused(() => loadAndDispose(withBitFlipped(bytes, bit)), /payload checksum/);
    }
    for (let length = 0; length < bytes.byteLength; length++) {
      await expectRefused(() => loadAndDispose(bytes.subarray(0, length)), /truncated/);
    }
  });

  it('refuses a header declaring huge weights before allocating anything', async () => {
    const builds = watchBuilds(CHECKED_CLASS);
    const bytes = await craftedModelFile(CHECKED_CLASS, (meta) => {
      meta.weights[0]!.shape = [5000, 5000];
    });
    await expectRefused(() => loadAndDispose(bytes), /its weight list needs 100000\d\d\d bytes, the file holds 3\d\d/);
    const huge = await craftedModelFile(CHECKED_CLASS, (meta) => {
      meta.weights[0]!.shape = [100_000, 100_000];
    });
    await expectRefused(() => loadAndDispose(huge), /weight "encoder\/0\/kernel" declares shape \[100000,100000\], over the limit of 67108864 elements/);
    expect(builds.count).toBe(0);
  });

  it('refuses a weight list that is malformed, or over the per-tensor and count limits', async () => {
    const cases: [(meta: ModelMeta) => void, RegExp][] = [
      [(m) => void (m.weights = {} as ModelMeta['weights']), /weight list: it is not a list/],
      [(m) => void (m.weights[0]!.dtype = 'string'), /unsupported dtype/],
      [(m) => void Object.assign(m.weights[0]!, { quantization: { dtype: 'uint8', scale: 1, min: 0 } }), /has field "quantization"/],
      [(m) => void (m.weights[0]!.shape = [-6, -5]), /invalid shape/],
      [(m) => void (m.weights[1]!.name = m.weights[0]!.name), /lists weight "encoder\/0\/kernel" twice/],
      [(m) => void (m.weights[0]!.name = 'encoder/0/kernel\nsecond line'), /which a TinyCheckedModel of its config does not/],
      [(m) => void m.weights.pop(), /needs \d+ bytes, the file holds \d+/],
      [(m) => void (m.vaekitFormat = 9), /format 9, written by a newer vaekit/],
      [(m) => void (m.config = { className: 'Bad\nName' }), /"Bad\\nName" is not a model class name/],
      [(m) => void (m.config = [] as unknown as ModelMeta['config']), /model config has no className/],
    ];
    for (const [edit, pattern] of cases) await expectRefused(async () => loadAndDispose(await craftedModelFile(CHECKED_CLASS, edit)), pattern);
    const bytes = await savedTinyModel(CHECKED_CLASS);
    await expectRefused(() => deserializeModel(bytes, 'm.vaekit', { limits: { maxTensorElements: 20 } }), /weight "encoder\/0\/kernel" declares shape \[6,5\], over the limit of 20 elements/);
    await expectRefused(() => deserializeModel(bytes, 'm.vaekit', { limits: { maxWeightCount: 3 } }), /lists 6 weights, over the limit of 3/);
  });

  it('refuses a config with huge layer widths before building, when the model can list its weights', async () => {
    const builds = watchBuilds(CHECKED_CLASS);
    const bytes = await craftedModelFile(CHECKED_CLASS, (meta) => {
      meta.config.hiddenUnits = [1_000_000, 1_000_000];
    });
    await expectRefused(
      () => loadAndDispose(bytes),
      /weight 'encoder\/0\/kernel' is float32 \[6,5\], a TinyCheckedModel of its config has float32 \[6,1000000\]/,
    );
    expect(builds.count).toBe(0);
  });

  it('caps the config of a model that cannot list its weights, before building', async () => {
    const builds = watchBuilds(UNCHECKED_CLASS);
    const bytes = await craftedModelFile(UNCHECKED_CLASS, (meta) => {
      meta.config.hiddenUnits = [10_000_000];
    });
    await expectRefused(() => loadAndDispose(bytes), /its config's hiddenUnits\[0\] is 10000000, over the limit of 1048576/);
    expect(builds.count).toBe(0);
    const seeded = await craftedModelFile(UNCHECKED_CLASS, (meta) => {
      meta.config.seed = 2 ** 40; // seeds are not sizes
      meta.config.hiddenUnits = [7];
    });
    await expectRefused(() => loadAndDispose(seeded), /weight 'encoder\/0\/kernel' has shape \[6,5\], the model expects \[6,7\]/);
    expect(builds.count).toBe(1);
  });

  it('leaves nothing behind when a model is built and then its weights do not fit, or its build throws half way', async () => {
    const mismatched = await craftedModelFile(UNCHECKED_CLASS, (meta) => {
      meta.config.hiddenUnits = [5, 3];
    });
    await expectRefused(() => loadAndDispose(mismatched), /has weights this TinyUncheckedModel does not|missing weight/);
    // latentDim is checked after the hidden layers exist, so the build throws with variables allocated.
    const halfBuilt = await craftedModelFile(UNCHECKED_CLASS, (meta) => {
      meta.config.latentDim = 0;
    });
    await expectRefused(() => loadAndDispose(halfBuilt), /holds a config that is not a valid TinyUncheckedModel: latentDim must be a whole number >= 1, got 0/);
    const wrongDtype = await craftedModelFile(UNCHECKED_CLASS, (meta) => {
      meta.weights[1]!.dtype = 'int32';
    });
    await expectRefused(() => loadAndDispose(wrongDtype), /weight 'encoder\/0\/bias' is int32, the model expects float32/);
  });
});

describe('loadModel', () => {
  it('passes its limits on to deserializeModel and names the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vaekit-load-model-'));
    try {
      const path = join(folder, 'model.vaekit');
      const model = createTinyModel(tinyConfig(CHECKED_CLASS));
      await saveModel(model, path);
      model.dispose();
      (await loadModel(path)).dispose();
      await expectRefused(() => loadModel(path, { limits: { maxWeightCount: 2 } }), /model\.vaekit lists 6 weights, over the limit of 2$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('loading an untrusted checkpoint', () => {
  async function checkpointAtStep24(): Promise<{ bytes: Uint8Array; model: VaeModel }> {
    const model = createTinyModel(tinyConfig(CHECKED_CLASS));
    const optimizer = createOptimizer(DEFAULT_OPTIMIZER);
    const x = tf.randomUniform([4, 6]);
    for (let i = 0; i < 3; i++) optimizer.minimize(() => model.loss(x, {} as never).total);
    x.dispose();
    // Only the fields the container round-trips matter here; the loop's own checks are not under test.
    const state = {
      epoch: 1,
      nextBatch: 2,
      step: 24,
      skippedSteps: 0,
      history: [],
      run: { seed: 0, batchSize: 4, datasetSize: 44 },
      optimizer: DEFAULT_OPTIMIZER,
    } as unknown as LoopState;
    const bytes = await encodeCheckpoint(model, optimizer, state);
    optimizer.dispose();
    return { bytes, model };
  }

  it('refuses a checkpoint whose step was edited, whether or not the edit changed the header length', async () => {
    const { bytes, model } = await checkpointAtStep24();
    const saved = await decodeContainer<{ state: { step: number } }>(bytes, 'vaekit-checkpoint');
    expect(saved.header.meta.state.step).toBe(24);
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.indexOf('"step":24');
    expect(at).toBeGreaterThan(0);
    const sameLength = Buffer.from(text.replace('"step":24', '"step":94'), 'latin1');
    await expectRefused(() => decodeCheckpoint(new Uint8Array(sameLength)), /header checksum does not match/);
    // 24 -> 9024, with the header length fixed up to match, as a deliberate edit would.
    const longer = Buffer.from(text.replace('"step":24', '"step":9024'), 'latin1');
    longer.writeUInt32LE(longer.readUInt32LE(8) + 2, 8);
    await expectRefused(() => decodeCheckpoint(new Uint8Array(longer)), /header checksum does not match/);
    model.dispose();
  });

  it('refuses a crafted optimizer weight list (restoreOptimizer decodes through decodeNamedTensors) and leaks nothing', async () => {
    const { bytes, model } = await checkpointAtStep24();
    const container = await decodeContainer<{ optimizerWeights: { name: string; shape: number[]; dtype: 'float32' }[] }>(bytes, 'vaekit-checkpoint');
    const specs = structuredClone(container.header.meta.optimizerWeights);
    const optimizerBytes = container.section('optimizer');
    specs[1]!.shape = [5000, 5000];
    await expectRefused(async () => decodeNamedTensors(specs, optimizerBytes, 'checkpoint'), /^checkpoint is corrupt: its weight list needs \d+ bytes, the file holds \d+/);
    specs[1]!.shape = [1];
    await expectRefused(async () => decodeNamedTensors(specs, optimizerBytes, 'checkpoint'), /needs \d+ bytes/);
    const values = decodeNamedTensors(container.header.meta.optimizerWeights, optimizerBytes);
    expect(Object.keys(values)).toEqual(container.header.meta.optimizerWeights.map((s) => s.name));
    tf.dispose(Object.values(values));
    model.dispose();
  });
});
