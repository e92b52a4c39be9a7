import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import type { LoopState } from '../src/index.js';
import { createOptimizer, DEFAULT_OPTIMIZER, encodeCheckpoint } from '../src/internal.js';
import { CHECKED_CLASS, createTinyModel, registerTinyModels, tinyConfig, UNCHECKED_CLASS } from './fixtures/tiny-model.mjs';
import { craftedModelFile, savedTinyModel } from './helpers/crafted-model.js';
import { LOAD_IN_CHILD, runChild, useCpu } from '@vaekit/test-utils';

const here = dirname(fileURLToPath(import.meta.url));
/** The built core with the tiny models registered, for the shared load-in-child script. */
const CHILD_SETUP = join(here, 'fixtures', 'built-core-with-tiny-models.mjs');
const BUILT = join(here, '..', 'dist', 'index.js');
const ONE_GB = 1024 ** 3;
const dir = mkdtempSync(join(tmpdir(), 'vaekit-crafted-'));




beforeAll(async () => {
  await useCpu();
  registerTinyModels(core);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crafted files under 1 MB stay under 1 GB of memory', () => {
  it('each loads in a child process that peaks under 1 GB and refuses it with one line', async () => {
    expect(existsSync(BUILT), `the child loads the built package: run pnpm turbo run build --filter=@vaekit/core first`).toBe(true);
    const model = createTinyModel(tinyConfig(CHECKED_CLASS));
    const optimizer = createOptimizer(DEFAULT_OPTIMIZER);
    const state = { epoch: 0, nextBatch: 0, step: 24, skippedSteps: 0, history: [], run: { seed: 0, batchSize: 4, datasetSize: 8 }, optimizer: DEFAULT_OPTIMIZER } as unknown as LoopState;
    const checkpoint = Buffer.from(await encodeCheckpoint(model, optimizer, state));
    optimizer.dispose();
    model.dispose();
    const stepEdited = Buffer.from(checkpoint.toString('latin1').replace('"step":24', '"step":9024'), 'latin1');
    stepEdited.writeUInt32LE(stepEdited.readUInt32LE(8) + 2, 8);

    // [file name, what loads it, what the refusal says]
    const files: [string, Uint8Array, 'model' | 'checkpoint', RegExp | null][] = [
      ['valid.vaekit', await savedTinyModel(CHECKED_CLASS), 'model', null],
      [
        'huge-weight-list.vaekit',
        await craftedModelFile(CHECKED_CLASS, (m) => void (m.weights[0]!.shape = [100_000, 100_000])),
        'model',
        /over the limit of \d+ elements/,
      ],
      [
        'wide-layers-listed.vaekit',
        await craftedModelFile(CHECKED_CLASS, (m) => void (m.config.hiddenUnits = [30_000, 30_000])),
        'model',
        /a TinyCheckedModel of its config has float32 \[6,30000\]/,
      ],
      [
        'wide-layers-unlisted.vaekit',
        await craftedModelFile(UNCHECKED_CLASS, (m) => void (m.config.hiddenUnits = [3_000_000, 3_000_000])),
        'model',
        /over the limit of 1048576/,
      ],
      ['step-edited.vaekit', stepEdited, 'checkpoint', /header checksum does not match/],
    ];
    const failures: string[] = [];
    for (const [name, bytes, kind, refusal] of files) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      expect(statSync(path).size).toBeLessThan(1024 * 1024);
      // A 3 GB address-space ceiling: far above what a refusal needs, far below what the machine has.
      const outcome = await runChild(LOAD_IN_CHILD, [CHILD_SETUP, kind, path], { virtualMemoryKb: 3 * 1024 * 1024, timeoutMs: 60_000 });
      const peak = `${(outcome.maxRssBytes / 1024 ** 2).toFixed(0)} MB`;
      console.log(`${name} (${bytes.byteLength} bytes): peak RSS ${peak}, ${outcome.loaded ? 'loaded' : outcome.message}`);
      if (outcome.maxRssBytes >= ONE_GB) failures.push(`${name}: peak RSS ${peak}`);
      if (refusal === null) {
        if (!outcome.loaded) failures.push(`${name}: did not load: ${outcome.message}`);
      } else if (outcome.loaded || outcome.error !== 'CorruptFileError' || !refusal.test(outcome.message ?? '') || /\n/.test(outcome.message ?? '')) {
        failures.push(`${name}: expected a one-line CorruptFileError matching ${refusal}, got ${outcome.loaded ? 'a loaded model' : `${outcome.error}: ${outcome.message}`}`);
      }
      if (outcome.numTensors !== 0) failures.push(`${name}: ${outcome.numTensors} tensors left`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
