import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  CorruptFileError,
  createModel,
  deserializeModel,
  getRegisteredModel,
  listModels,
  serializeModel,
  type RegisteredModel,
} from '@vaekit/core';
import { decodeContainer, encodeContainer } from '@vaekit/core/internal';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../src/index.js';
import { LOAD_IN_CHILD, runChild, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

const BUILT_IN = ['Vae', 'BetaVae', 'VqVae', 'LadderVae', 'PlanarFlowVae', 'IafVae', 'LadderIafVae', 'LearnedPriorVae'] as const;
type ClassName = (typeof BUILT_IN)[number];
type Config = Record<string, unknown>;

const conv = (filters: number[], denseUnits = 10) => ({ type: 'conv', filters, kernelSize: 3, denseUnits });
const learned = { type: 'gaussian', variance: 'learned-per-pixel' };
const fixed = { type: 'gaussian', variance: 'fixed', sigma: 0.5 };

/**
 * Configs per variant, each a change to its testConfig (`null`: the variant's defaults, nothing given).
 * Between them: defaults, MLP and convolutional bodies (square and not, 1 and 2 channels, flat and
 * image inputs for an MLP, no hidden layer), batch norm on and off, every likelihood, and the variant's
 * own sizes (latent widths, flow steps, MADE widths, ladder layers, codebook sizes and modes).
 */
const CASES: Record<ClassName, (Config | null)[]> = {
  Vae: [
    {},
    null,
    { batchNorm: true },
    { latentDim: 1, architecture: { type: 'mlp', hiddenUnits: [] } },
    { latentDim: 5, architecture: { type: 'mlp', hiddenUnits: [7, 6, 5] }, batchNorm: true, likelihood: learned },
    { inputShape: [4, 3], likelihood: learned },
    { inputShape: [4, 3, 2], batchNorm: true, likelihood: fixed },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]) },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), batchNorm: true, likelihood: learned },
    { inputShape: [8, 12, 2], architecture: conv([5], 6), latentDim: 4, likelihood: learned },
    { inputShape: [8, 8], architecture: conv([2, 2, 3]), batchNorm: true },
    // tfjs builds this (its first reshape fails only when run), and saves and loads it: so must the list.
    { inputShape: [8, 8, 1, 2], architecture: conv([3]) },
  ],
  BetaVae: [
    {},
    null,
    { capacity: null, beta: 2, batchNorm: true, likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), batchNorm: true, latentDim: 6 },
  ],
  PlanarFlowVae: [
    {},
    null,
    { flowSteps: 1, latentDim: 1 },
    { flowSteps: 5, latentDim: 4, batchNorm: true, likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), flowSteps: 3, batchNorm: true },
  ],
  IafVae: [
    {},
    null,
    { flowSteps: 1, madeHiddenUnits: [5, 7], contextUnits: 1, latentDim: 1 },
    { flowSteps: 3, madeHiddenUnits: [9, 4, 6], latentDim: 5, batchNorm: true, likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), flowSteps: 2, batchNorm: true, likelihood: learned },
  ],
  LadderVae: [
    {},
    null,
    { batchNorm: false },
    { latentDims: [4, 3, 2], deterministicUnits: [9, 7, 5], batchNorm: false, likelihood: learned },
    { latentDims: [2, 2, 2, 1], deterministicUnits: [6, 6, 5, 4], architecture: { type: 'mlp', hiddenUnits: [] } },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), latentDims: [3, 2], deterministicUnits: [8, 6], likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3]), batchNorm: false },
  ],
  LadderIafVae: [
    {},
    null,
    { batchNorm: false, flowSteps: 1, madeHiddenUnits: [4, 5] },
    { latentDims: [4, 3, 2], deterministicUnits: [9, 7, 5], flowSteps: 3, contextUnits: 2, likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), batchNorm: false, likelihood: learned },
  ],
  LearnedPriorVae: [
    {},
    null,
    { latentDim: 5, batchNorm: true, likelihood: learned },
  ],
  VqVae: [
    {},
    null,
    { codebook: 'loss', codebookSize: 2 },
    { codebook: 'ema', codebookSize: 17, embeddingDim: 3, numLatents: 5, likelihood: learned },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), codebookSize: 5, likelihood: fixed },
    { inputShape: [8, 8, 1], architecture: conv([3, 4]), codebook: 'loss', likelihood: learned },
  ],
};

function configOf(className: ClassName, change: Config | null): { className: string } & Config {
  return change === null ? { className } : { ...getRegisteredModel(className).testConfig, ...change, className };
}

function expectedWeightsOf(className: string): NonNullable<RegisteredModel['expectedWeights']> {
  const hook = getRegisteredModel(className).expectedWeights;
  if (!hook) throw new Error(`${className} has no expectedWeights`);
  return hook;
}

/** Runs `step` and fails if it created a tensor (or left one behind). */
function withoutTensors<T>(step: () => T): T {
  const before = tf.memory().numTensors;
  const result = step();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describe('expectedWeights of the built-in variants', () => {
  it('is registered for every built-in variant', () => {
    const registered = listModels().map((m) => m.className);
    for (const className of BUILT_IN) {
      expect(registered).toContain(className);
      expect(typeof getRegisteredModel(className).expectedWeights, className).toBe('function');
    }
  });

  describe.each(BUILT_IN)('%s', (className) => {
    it.each(CASES[className].map((change, i) => [i, JSON.stringify(change)] as const))(
      'config %i (%s) lists exactly the built model\'s weights, and a saved model loads',
      async (index) => {
        const given = configOf(className, CASES[className][index]!);
        const model = createModel(given);
        try {
          const actual = model.variables().map(({ name, variable }) => ({ name, shape: variable.shape, dtype: variable.dtype }));
          const listWeights = expectedWeightsOf(className);
          // From the resolved config (what a saved file holds) and from the partial one `create` was given.
          const resolved = { ...model.getConfig(), className } as { className: string } & Config;
          expect(withoutTensors(() => listWeights(resolved))).toEqual(actual);
          expect(withoutTensors(() => listWeights(given))).toEqual(actual);

          const restored = await deserializeModel(await serializeModel(model));
          try {
            expect(restored.getConfig()).toEqual(model.getConfig());
            expect(restored.variables().map((v) => v.name)).toEqual(actual.map((w) => w.name));
          } finally {
            restored.dispose();
          }
        } finally {
          model.dispose();
        }
      },
    );
  });

  it('throws, creating nothing, for configs that create refuses', () => {
    const refused: [ClassName, Config][] = [
      ['Vae', { latentDim: 0 }],
      ['Vae', { architecture: conv([3]) }], // flat input for a convolutional body
      ['Vae', { inputShape: [6, 6, 1], architecture: conv([3, 4]) }], // 6 is not divisible by 4
      ['Vae', { likelihood: { type: 'gaussian', variance: 'fixed', sigma: -1 } }],
      ['Vae', { likelihood: { type: 'poisson' } }],
      ['Vae', { hiddenUnits: [30000, 30000] }], // not a VAE field
      ['BetaVae', { capacity: { maxNats: -1, annealSteps: 2 } }],
      ['PlanarFlowVae', { flowSteps: 0 }],
      ['IafVae', { madeHiddenUnits: [] }],
      ['LadderVae', { latentDims: [3, 2], deterministicUnits: [8] }],
      ['LadderVae', { latentDim: 4 }],
      ['LadderIafVae', { contextUnits: 0 }],
      ['VqVae', { codebookSize: 1 }],
      ['VqVae', { codebook: 'kmeans' }],
    ];
    for (const [className, change] of refused) {
      const config = configOf(className, change);
      const createError = ((): unknown => {
        try {
          createModel(config).dispose();
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(createError, `${className} ${JSON.stringify(change)} should be refused by create`).toBeInstanceOf(Error);
      expect(() => withoutTensors(() => expectedWeightsOf(className)(config)), `${className} ${JSON.stringify(change)}`).toThrow();
    }
  });
});

interface ModelMeta {
  config: Record<string, unknown> & { architecture?: { hiddenUnits?: number[] } };
  weights: { name: string; shape: number[]; dtype: string }[];
}

/** The VAE's testConfig saved (a few hundred weights), with the header's config widened and both checksums recomputed. */
async function craftedVae(hiddenUnits: number[]): Promise<Uint8Array> {
  const model = createModel({ ...getRegisteredModel('Vae').testConfig, className: 'Vae' });
  try {
    const container = await decodeContainer<ModelMeta>(await serializeModel(model), 'vaekit-model');
    const meta = structuredClone(container.header.meta);
    meta.config.architecture = { type: 'mlp', hiddenUnits } as ModelMeta['config']['architecture'];
    return encodeContainer('vaekit-model', meta, { weights: container.section('weights') });
  } finally {
    model.dispose();
  }
}

const WIDE_REFUSAL = /weight 'encoder\/0\/kernel' is float32 \[12,10\], a Vae of its config has float32 \[12,30000\]/;

describe('a crafted VAE file with hiddenUnits [30000, 30000]', () => {
  it('is refused with one line before the model is built, allocating nothing', async () => {
    const bytes = await craftedVae([30000, 30000]);
    expect(bytes.byteLength).toBeLessThan(10_000);
    const create = vi.spyOn(getRegisteredModel('Vae'), 'create');
    const before = tf.memory();
    const error: unknown = await deserializeModel(bytes, 'crafted.vaekit').then(
      (m) => (m.dispose(), null),
      (e: unknown) => e,
    );
    expect(CorruptFileError.isInstance(error), String(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(WIDE_REFUSAL);
    expect(message).toMatch(/^crafted\.vaekit: /);
    expect(message).not.toMatch(/\n/);
    expect(create).not.toHaveBeenCalled();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  describe('in a child process under a memory ceiling', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    /** The built variants registered with the built core, for the shared load-in-child script. */
    const setup = join(here, 'fixtures', 'built-variants.mjs');
    // A 3 GB address-space ceiling: a loader that allocates fails fast instead of taking the machine.
    const limits = { virtualMemoryKb: 3 * 1024 * 1024, timeoutMs: 60_000 };
    const built = join(here, '..', 'dist', 'index.js');
    const dir = mkdtempSync(join(tmpdir(), 'vaekit-expected-weights-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('peaks far under 1 GB and refuses it with one line; a valid file loads', async () => {
      expect(existsSync(built), 'the child loads the built package: pnpm turbo run build --filter=@vaekit/variants... first').toBe(true);
      const valid = join(dir, 'valid.vaekit');
      const model = createModel({ ...getRegisteredModel('Vae').testConfig, className: 'Vae' });
      writeFileSync(valid, await serializeModel(model));
      model.dispose();
      const crafted = join(dir, 'wide.vaekit');
      writeFileSync(crafted, await craftedVae([30000, 30000]));

      const loaded = await runChild(LOAD_IN_CHILD, [setup, 'model', valid], limits);
      expect(loaded).toMatchObject({ loaded: true, numTensors: 0 });
      const refused = await runChild(LOAD_IN_CHILD, [setup, 'model', crafted], limits);
      expect(refused).toMatchObject({ loaded: false, error: 'CorruptFileError', numTensors: 0 });
      expect(refused.message).toMatch(WIDE_REFUSAL);
      expect(refused.message).not.toMatch(/\n/);
      // Building it would need 3.6 GB for the second layer's kernel alone.
      expect(refused.maxRssBytes).toBeLessThan(1024 ** 3);
    }, 120_000);
  });
});
