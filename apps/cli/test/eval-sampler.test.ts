import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PriorSampler, serializeSampler, type Dataset, type LatentSampler } from '@vaekit/core';
import { loadModel } from '@vaekit/core/node';
import { VQ_CODE_PRIOR_SAMPLER, VqCodePriorSampler } from '@vaekit/variants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, expectUserError, type CliOptions, type Run } from './helpers/cli.js';

const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

let dir: string;
let csv: string;
let vqRun: string;
let vaeRun: string;
const files: Record<'codePrior' | 'otherCodebook' | 'prior', string> = { codePrior: '', otherCodebook: '', prior: '' };
const ROWS = 40;
const WIDTH = 16;

/** 40 binary rows of 16 values in four patterns: a VQ-VAE's codes of them repeat, which a code prior learns. */
function binaryRows(): number[][] {
  return Array.from({ length: ROWS }, (_, r) => Array.from({ length: WIDTH }, (_, c) => ((c * (1 + (r % 4))) % 5 < 2 ? 1 : 0)));
}

function inMemory(rows: number[][]): Dataset {
  return { size: rows.length, exampleShape: [WIDTH], binary: true, batch: (indices) => tf.tensor2d(indices.map((i) => rows[i]!)) };
}

async function writeSampler(name: string, sampler: LatentSampler): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await serializeSampler(sampler));
  sampler.dispose();
  return path;
}

function json(result: Run): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  assertBuilt();
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-eval-sampler-'));
  csv = join(dir, 'binary.csv');
  writeFileSync(csv, `${binaryRows().map((r) => r.join(',')).join('\n')}\n`);
  vqRun = join(dir, 'vq');
  vaeRun = join(dir, 'vae');
  const common = ['--data', csv, '--epochs', '2', '--hidden', '8', '--batch-size', '8', '--backend', 'cpu'];
  const vqSettings = ['--set', 'numLatents=3', '--set', 'embeddingDim=2', '--set', 'codebookSize=5'];
  const trained = await Promise.all([
    cli(['train', '--model', 'VqVae', ...vqSettings, ...common, '--out', vqRun]),
    cli(['train', '--latent-dim', '2', ...common, '--out', vaeRun]),
  ]);
  for (const run of trained) expect(run.code, run.stderr).toBe(0);

  const vq = await loadModel(join(vqRun, 'model.vaekit'));
  try {
    const fitted = await VQ_CODE_PRIOR_SAMPLER.fit(vq, { train: inMemory(binaryRows()), seed: 2, settings: { hidden: [16], epochs: 15, batchSize: 8, learningRate: 1e-2 } });
    files.codePrior = await writeSampler('code-prior.vaekit', fitted);
    const config = { className: 'VqCodePriorSampler', latentShape: [3, 2], numLatents: 3, codebookSize: 4, hidden: [8] };
    files.otherCodebook = await writeSampler('other-codebook.vaekit', new VqCodePriorSampler(config));
    files.prior = await writeSampler('prior.vaekit', new PriorSampler({ latentShape: [2] }));
  } finally {
    vq.dispose();
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaekit eval --sampler', () => {
  it("reports a VQ-VAE's NLL bound with its learned code prior beside the uniform prior's, in nats and bits/dim", async () => {
    const args = ['eval', '--run', vqRun, '--rows', 'all', '--k', '2', '--sampler', files.codePrior, '--backend', 'cpu'];
    const result = json(await cli([...args, '--json']));
    const sampler = result['sampler'] as Record<string, unknown>;
    expect(sampler['className']).toBe('VqCodePriorSampler');
    expect(sampler['file']).toBe(files.codePrior);
    const uniform = sampler['uniformPriorNll'] as number;
    const learned = sampler['learnedPriorNll'] as number;
    // The data is binary, so both passes see the same pixels: the uniform-prior bound is eval's own −ELBO.
    expect(uniform).toBeCloseTo(-(result['elbo'] as number), 3);
    // Fitted to these very examples' codes, the code prior is more likely than uniform codes.
    expect(learned).toBeLessThan(uniform);

    const table = await cli(args);
    expect(table.code, table.stderr).toBe(0);
    const bits = (nats: number) => (nats / (WIDTH * Math.LN2)).toFixed(3);
    expect(table.stdout).toContain(`NLL bound, uniform code prior  ${uniform.toFixed(2)} nats (${bits(uniform)} bits/dim)`);
    expect(table.stdout).toMatch(new RegExp(`NLL bound, learned code prior +${learned.toFixed(2)} nats \\(${bits(learned)} bits/dim\\)`));
    expect(table.stdout).toMatch(/sampler +VqCodePriorSampler \(/);
  });

  it("says that another sampler leaves eval's bounds as they are", async () => {
    const result = json(await cli(['eval', '--run', vaeRun, '--k', '2', '--sampler', files.prior, '--backend', 'cpu', '--json']));
    expect(result['sampler']).toMatchObject({ className: 'PriorSampler', note: expect.stringMatching(/only draws codes .* which it does not change/) });
    const table = await cli(['eval', '--run', vaeRun, '--k', '2', '--sampler', files.prior, '--backend', 'cpu']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/note +a PriorSampler only draws codes for sampling; the ELBO and IWAE bound are taken against the model's own prior/);
    expect(table.stdout).not.toMatch(/code prior/);
  });

  it('refuses a sampler of another model, another codebook, or no file, before evaluating', async () => {
    const codeOnVae = await cli(['eval', '--run', vaeRun, '--k', '2', '--sampler', files.codePrior, '--backend', 'cpu']);
    expectUserError(codeOnVae, /^error: --sampler .*code-prior\.vaekit: this VqCodePriorSampler draws latents of shape \[3,2\], but the Vae decodes latents of shape \[2\]/);
    expect(codeOnVae.stderr).not.toMatch(/evaluating \(k=/);
    const otherCodebook = await cli(['eval', '--run', vqRun, '--k', '2', '--sampler', files.otherCodebook, '--backend', 'cpu']);
    expectUserError(otherCodebook, /models 3 codes from a codebook of 4, but the VqVae has 3 codes from a codebook of 5: fit the sampler to this model$/);
    expectUserError(await cli(['eval', '--run', vqRun, '--sampler', join(dir, 'missing.vaekit')]), /no sampler file at .*missing\.vaekit/, 2);
    writeFileSync(join(dir, 'junk.vaekit'), readFileSync(csv));
    expectUserError(await cli(['eval', '--run', vqRun, '--k', '2', '--sampler', join(dir, 'junk.vaekit'), '--backend', 'cpu']), /junk\.vaekit/);
  });
});
