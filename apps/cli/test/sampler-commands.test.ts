import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { deserializeSampler, listSamplers, PriorSampler, serializeSampler } from '@vaekit/core';
// Registers the built-in samplers, whose files the tests read back.
import '@vaekit/variants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, expectUserError, TINY, type CliOptions, type Run } from './helpers/cli.js';

// Fits take seconds on a quiet machine; a busy one may take minutes.
const SLOW_MACHINE: CliOptions = { timeoutMs: 240_000 };
const cli = (args: readonly string[]): Promise<Run> => runCli(args, { cwd: dir, ...SLOW_MACHINE });

/** Small Gaussian-mixture settings on few examples: a fit of a second or two. */
const TINY_GMM = ['--sampler', 'gmm', '--set', 'components=[2,3]', '--set', 'maxIterations=10', '--limit', '64', '--n', '16', '--backend', 'cpu'];

let dir: string;
let run: string;
let model: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-samplers-'));
  run = join(dir, 'run');
  const made = await cli(['train', ...TINY, '--out', run]);
  expect(made.code, made.stderr).toBe(0);
  model = join(run, 'model.vaekit');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectPng(path: string): Buffer {
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

describe('vaekit fit-sampler', () => {
  it('--list and --help name every registered sampler with its description', async () => {
    const list = await cli(['fit-sampler', '--list']);
    expect(list.code, list.stderr).toBe(0);
    const help = await cli(['fit-sampler', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(listSamplers().map((s) => s.name)).toEqual(expect.arrayContaining(['prior', 'gmm']));
    for (const sampler of listSamplers()) {
      expect(list.stdout).toMatch(new RegExp(`^${sampler.name} +\\S`, 'm'));
      expect(list.stdout).toContain(sampler.description);
      expect(help.stdout).toContain(sampler.description);
    }
  });

  it('fits the prior sampler: a loadable file and a grid beside the model, the same pictures as plain sample', async () => {
    const fitted = await cli(['fit-sampler', '--model-file', model, '--sampler', 'prior', '--limit', '32', '--backend', 'cpu']);
    expect(fitted.code, fitted.stderr).toBe(0);
    const file = join(run, 'sampler-prior.vaekit');
    expect(fitted.stdout).toContain(file);
    expect(fitted.stdout).toContain(join(run, 'samples-prior.png'));
    expect(fitted.stderr).toMatch(/fitting the prior sampler on the run's 32 training examples of mnist/);
    const sampler = await deserializeSampler(new Uint8Array(readFileSync(file)), file);
    expect(sampler.className).toBe('PriorSampler');
    expect(sampler.latentShape).toEqual([4]);
    sampler.dispose();
    const grid = expectPng(join(run, 'samples-prior.png'));

    // The prior sampler draws what the model's prior does: the same bytes as sample without a sampler.
    const viaSampler = await cli(['sample', '--model-file', model, '--sampler', file, '--out', 'via-prior.png', '--backend', 'cpu']);
    expect(viaSampler.code, viaSampler.stderr).toBe(0);
    const plain = await cli(['sample', '--model-file', model, '--out', 'plain.png', '--backend', 'cpu']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(expectPng(join(dir, 'via-prior.png')).equals(readFileSync(join(dir, 'plain.png')))).toBe(true);
    expect(grid.equals(readFileSync(join(dir, 'plain.png')))).toBe(true);
  });

  it('a seeded Gaussian-mixture fit is repeatable to the byte, and sample --sampler draws from it', async () => {
    const first = await cli(['fit-sampler', '--model-file', model, ...TINY_GMM, '--seed', '3', '--out', 'gmm-a.vaekit']);
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(['fit-sampler', '--model-file', model, ...TINY_GMM, '--seed', '3', '--out', 'gmm-b.vaekit']);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(join(dir, 'gmm-a.vaekit')).equals(readFileSync(join(dir, 'gmm-b.vaekit')))).toBe(true);
    // Each fit's grid is named after its own file, so neither overwrites the other; same seed, same grid.
    const grid = expectPng(join(dir, 'gmm-a.png'));
    expect(expectPng(join(dir, 'gmm-b.png')).equals(grid)).toBe(true);
    expect(first.stdout).toContain('wrote 16 samples to gmm-a.png');

    const drawn: Buffer[] = [];
    for (const out of ['gmm-1.png', 'gmm-2.png']) {
      const sampled = await cli(['sample', '--model-file', model, '--sampler', 'gmm-a.vaekit', '--n', '16', '--seed', '3', '--out', out, '--backend', 'cpu']);
      expect(sampled.code, sampled.stderr).toBe(0);
      drawn.push(expectPng(join(dir, out)));
    }
    expect(drawn[0]!.equals(drawn[1]!)).toBe(true);
    // fit-sampler's grid is sample --sampler's with the same seed and count.
    expect(drawn[0]!.equals(grid)).toBe(true);
    const prior = await cli(['sample', '--model-file', model, '--n', '16', '--seed', '3', '--out', 'prior-16.png', '--backend', 'cpu']);
    expect(prior.code, prior.stderr).toBe(0);
    expect(readFileSync(join(dir, 'prior-16.png')).equals(drawn[0]!)).toBe(false);
  });
});

describe('sampler commands refuse bad input with one line', () => {
  it('an unknown sampler name lists the registered ones', async () => {
    const result = await cli(['fit-sampler', '--model-file', model, '--sampler', 'nope', '--backend', 'cpu']);
    expectUserError(result, /unknown sampler 'nope'\. Registered: .*prior \(PriorSampler\)/, 2);
  });

  it('a missing --model-file or --sampler', async () => {
    expectUserError(await cli(['fit-sampler', '--sampler', 'prior']), /--model-file is required/, 2);
    expectUserError(await cli(['fit-sampler', '--model-file', model]), /--sampler is required: one of .*prior/, 2);
    expectUserError(await cli(['fit-sampler', '--model-file', join(dir, 'none.vaekit'), '--sampler', 'prior']), /no model file at/, 2);
  });

  it('bad --set entries', async () => {
    expectUserError(await cli(['fit-sampler', '--model-file', model, '--sampler', 'prior', '--set', 'components']), /--set takes key=value/, 2);
    expectUserError(
      await cli(['fit-sampler', '--model-file', model, '--sampler', 'prior', '--set', 'a=1', '--set', 'a=2']),
      /--set a is given twice/,
      2,
    );
  });

  it('a sampler that cannot serve the model says why, and writes nothing', async () => {
    const refusing = listSamplers().find((s) => s.name === 'code-prior');
    expect(refusing, 'the VQ code prior is registered').toBeDefined();
    const result = await cli(['fit-sampler', '--model-file', model, '--sampler', 'code-prior', '--backend', 'cpu']);
    expectUserError(result, /the code-prior sampler cannot serve .*model\.vaekit: .*VQ-VAE/, 2);
    expect(existsSync(join(run, 'sampler-code-prior.vaekit'))).toBe(false);
  });

  it('a sampler fitted to another latent shape', async () => {
    const other = new PriorSampler({ latentShape: [3] });
    writeFileSync(join(dir, 'shape-3.vaekit'), await serializeSampler(other));
    other.dispose();
    const result = await cli(['sample', '--model-file', model, '--sampler', 'shape-3.vaekit', '--out', 'x.png', '--backend', 'cpu']);
    expectUserError(result, /draws latents of shape \[3\], but the Vae decodes latents of shape \[4\]: fit the sampler to this model/);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });

  it('a missing or damaged sampler file', async () => {
    expectUserError(await cli(['sample', '--model-file', model, '--sampler', 'absent.vaekit', '--out', 'x.png']), /no sampler file at absent\.vaekit/, 2);
    writeFileSync(join(dir, 'damaged.vaekit'), 'not a sampler');
    const damaged = await cli(['sample', '--model-file', model, '--sampler', 'damaged.vaekit', '--out', 'x.png', '--backend', 'cpu']);
    expectUserError(damaged, /damaged\.vaekit/);
  });
});
