import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, jsonLines, TINY, type CliOptions, type Run } from './helpers/cli.js';

// The built CLI, exercised as users run it: a separate process, exit codes and output streams included.
const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

/** A PNG's width and height from its IHDR chunk, after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** `rows` examples of `columns` values each, as CSV. */
function writeCsv(name: string, rows: number, columns: number, value: (row: number, col: number) => string): string {
  const lines = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => value(r, c)).join(','));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A user error: non-zero exit, one `error:` line naming the problem, no stack trace. */
function expectUserError(run: Run, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stderr).toMatch(/^error: /m);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
let run1: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-'));
  run1 = join(dir, 'run1');
  assertBuilt();
  const first = await cli(['train', ...TINY, '--out', run1]);
  expect(first.code, first.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vaekit train', () => {
  it('writes the checkpoint, model, config, metrics and picture grids', () => {
    for (const file of ['checkpoint.vaekit', 'model.vaekit', 'config.json', 'metrics.jsonl']) {
      expect(statSync(join(run1, file)).size).toBeGreaterThan(0);
    }
    const config = JSON.parse(readFileSync(join(run1, 'config.json'), 'utf8')) as {
      args: Record<string, unknown>;
      model: Record<string, unknown>;
    };
    expect(config.args).toMatchObject({ model: 'Vae', data: 'mnist', epochs: 1, latentDim: 4, hidden: [32], limit: 256 });
    expect(config.model).toMatchObject({ className: 'Vae', latentDim: 4, inputShape: [784] });

    const [line, ...rest] = jsonLines(join(run1, 'metrics.jsonl'));
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({ epoch: 1, step: 2 });
    const validation = line!.validation as Record<string, number>;
    expect(Object.keys(validation)).toEqual(['total', 'reconstruction', 'kl']);
    expect(validation.total).toBeGreaterThan(0);
    expect(Number.isFinite((line!.train as Record<string, number>).total)).toBe(true);

    // 8x8 samples of 28x28 with 1-pixel separators; 32 reconstructions as 4 pairs of rows of 8; each
    // grid enlarged to at least 400 pixels wide (twice for 231, twice for 289).
    expect(pngSize(join(run1, 'samples.png'))).toEqual({ width: 2 * (8 * 28 + 7), height: 2 * (8 * 28 + 7) });
    expect(pngSize(join(run1, 'reconstructions.png'))).toEqual({ width: 2 * (8 * 28 + 7), height: 2 * (8 * 28 + 7) });
    expect(pngSize(join(run1, 'interpolation.png'))).toEqual({ width: 2 * (10 * 28 + 9), height: 2 * (8 * 28 + 7) });
  });

  it('refuses to overwrite a run folder without --resume or --force, and changes nothing', async () => {
    const before = statSync(join(run1, 'metrics.jsonl')).mtimeMs;
    const result = await cli(['train', ...TINY, '--out', run1]);
    expectUserError(result, /already holds a run: pass --resume .* --force/);
    expect(statSync(join(run1, 'metrics.jsonl')).mtimeMs).toBe(before);
  });

  it('refuses flags that conflict with the saved run on --resume', async () => {
    // --lr is not among them: a resume may change the rate (train-controls.test.ts).
    const result = await cli(['train', '--out', run1, '--resume', '--seed', '5', '--backend', 'cpu']);
    expectUserError(result, /--seed 5 \(the run has 0\)/);
    expect(jsonLines(join(run1, 'metrics.jsonl'))).toHaveLength(1);
  });

  it('resumes from the checkpoint: metrics gain an epoch and the step count continues', async () => {
    const result = await cli(['train', '--out', run1, '--resume', '--epochs', '2', '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/resuming .* from step 2/);
    expect(result.stdout).toMatch(/resumed from step 2/);
    expect(result.stdout).toMatch(/final ELBO on MNIST test split/);
    const lines = jsonLines(join(run1, 'metrics.jsonl'));
    expect(lines.map((l) => [l.epoch, l.step])).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('--set configures variant fields (a ladder\'s layers) and --free-bits trains through its floor', async () => {
    const out = join(dir, 'ladder');
    const args = ['train', '--model', 'LadderVae', '--limit', '256', '--epochs', '1', '--hidden', '16', '--backend', 'cpu'];
    const result = await cli([...args, '--set', 'latentDims=[6,3,2]', '--set', 'deterministicUnits=[24,12,8]', '--free-bits', '0.2', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { args: Record<string, unknown>; model: Record<string, unknown> };
    expect(config.args['set']).toEqual({ latentDims: [6, 3, 2], deterministicUnits: [24, 12, 8] });
    expect(config.model).toMatchObject({ className: 'LadderVae', latentDims: [6, 3, 2], deterministicUnits: [24, 12, 8], latentDim: 11 });
    const [epoch] = jsonLines(join(out, 'metrics.jsonl')) as Array<{ train: Record<string, number> }>;
    expect(Object.keys(epoch!.train)).toEqual(expect.arrayContaining(['kl_layer0', 'kl_layer1', 'kl_layer2']));
    expect(Number.isFinite(epoch!.train['total'])).toBe(true);
    // The saved model is the configured one: eval loads it whole.
    const evaluated = await cli(['eval', '--model-file', join(out, 'model.vaekit'), '--k', '4', '--limit', '32', '--backend', 'cpu', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
  });

  it('stops on SIGINT with a checkpoint, says how to resume, and exits with 130', async () => {
    const out = join(dir, 'interrupted');
    let sent = false;
    const result = await cli(['train', '--limit', '2048', '--batch-size', '16', '--epochs', '5', '--hidden', '16', '--latent-dim', '2', '--backend', 'cpu', '--out', out], {
      onStderr: (text, child) => {
        // Interrupt once training is under way (the first plain progress line).
        if (!sent && /batch \d+\/128/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain(`vaekit train --out ${out} --resume`);
    expect(statSync(join(out, 'checkpoint.vaekit')).size).toBeGreaterThan(0);
    expect(existsSync(join(out, 'model.vaekit'))).toBe(true);
  });
});

describe('vaekit sample, reconstruct and eval', () => {
  it('sample writes a PNG grid', async () => {
    const out = join(dir, 'samples.png');
    const result = await cli(['sample', '--model-file', join(run1, 'model.vaekit'), '--n', '16', '--seed', '3', '--out', out, '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: cpu \(JavaScript, 1 thread\)$/m);
    expect(pngSize(out)).toEqual({ width: 2 * (8 * 28 + 7), height: 2 * (2 * 28 + 1) });
  });

  it('reconstruct writes originals and reconstructions in alternating rows', async () => {
    const out = join(dir, 'recon.png');
    const result = await cli(['reconstruct', '--model-file', join(run1, 'model.vaekit'), '--n', '8', '--out', out, '--backend', 'wasm']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: wasm \(WebAssembly/m);
    expect(pngSize(out)).toEqual({ width: 2 * (8 * 28 + 7), height: 2 * (2 * 28 + 1) });
  });

  it('eval prints finite ELBO terms, the IWAE NLL and active units', async () => {
    const text = await cli(['eval', '--model-file', join(run1, 'model.vaekit'), '--k', '8', '--limit', '64', '--backend', 'cpu']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ELBO\s+-\d/);
    expect(text.stdout).toMatch(/IWAE NLL \(k=8\)\s+\d+\.\d+ nats \(0\.\d+ bits\/dim\)/);
    expect(text.stdout).toMatch(/likelihood\s+bernoulli/);
    expect(text.stdout).toMatch(/active units\s+\d\/4/);
    expect(text.stderr).toMatch(/evaluating \(k=8\) 64\/64/);

    const json = await cli(['eval', '--model-file', join(run1, 'model.vaekit'), '--k', '8', '--limit', '64', '--backend', 'cpu', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { elbo: number; reconstruction: number; kl: number; examples: number; iwae: { k: number; nll: number } };
    expect(result.examples).toBe(64);
    for (const value of [result.elbo, result.reconstruction, result.kl, result.iwae.nll]) expect(Number.isFinite(value)).toBe(true);
    expect(result.iwae.k).toBe(8);
    expect(json.stderr).toBe('');
  });

  it('a truncated model file gives the corrupt-file message', async () => {
    const bytes = readFileSync(join(run1, 'model.vaekit'));
    const truncated = join(dir, 'truncated.vaekit');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectUserError(await cli(['eval', '--model-file', truncated, '--backend', 'cpu']), /truncated/);
  });

  it('a missing model file is a one-line error', async () => {
    expectUserError(await cli(['sample', '--model-file', join(dir, 'nope.vaekit'), '--out', join(dir, 'x.png')]), /no model file at/);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });
});

describe('bad input fails before anything is written', () => {
  const out = (): string => join(dir, 'never');
  const expectNothingWritten = (): void => expect(existsSync(out())).toBe(false);

  it('unknown model', async () => {
    expectUserError(await cli(['train', ...TINY, '--model', 'NoSuchVae', '--out', out()]), /unknown model 'NoSuchVae'\. Registered: .*Vae/);
    expectNothingWritten();
  });

  it('unknown backend', async () => {
    expectUserError(await cli(['train', '--backend', 'tpu', '--out', out()]), /unknown backend 'tpu': use one of auto, native, wasm, cpu/);
    expectNothingWritten();
  });

  it('--compile: an unknown mode, or xla off native', async () => {
    expectUserError(await cli(['train', '--compile', 'fast', '--out', out()]), /--compile must be one of auto, xla, off, got 'fast'/);
    expectUserError(await cli(['train', '--compile', 'xla', '--backend', 'cpu', '--out', out()]), /--compile xla needs the native backend; this run uses cpu/);
    expectNothingWritten();
  });

  it('unknown flag and bad flag values', async () => {
    expectUserError(await cli(['train', '--bogus', '--out', out()]), /unknown option '--bogus'/);
    expectUserError(await cli(['train', '--epochs', 'many', '--out', out()]), /--epochs must be a whole number/);
    expectUserError(await cli(['train', '--binarize', 'sometimes', '--out', out()]), /--binarize/);
    expectNothingWritten();
  });

  it('--set with a field the model lacks, one a flag owns, or a bad value', async () => {
    expectUserError(await cli(['train', ...TINY, '--set', 'latentDimz=[4,2]', '--out', out()]), /Vae has no config field 'latentDimz'; its fields are architecture, batchNorm, beta, className, inputShape, klEstimator, latentDim/);
    expectUserError(await cli(['train', ...TINY, '--set', 'beta=3', '--out', out()]), /--set beta is not allowed: beta is set by --beta/);
    expectUserError(await cli(['train', ...TINY, '--set', '=3', '--out', out()]), /--set takes key=value/);
    const ladder = ['train', '--model', 'LadderVae', '--limit', '64', '--epochs', '1', '--backend', 'cpu'];
    expectUserError(await cli([...ladder, '--set', 'latentDims=[4]', '--out', out()]), /latentDims must be an array of at least 2/);
    expectNothingWritten();
  });

  it('NaN in the data', async () => {
    const csv = writeCsv('nan.csv', 20, 16, (r, c) => (r === 3 && c === 5 ? 'nan' : '1'));
    expectUserError(await cli(['train', ...TINY, '--data', csv, '--out', out()]), /non-finite value \(NaN\)/);
    expectNothingWritten();
  });

  it('non-binary data with a Bernoulli likelihood and --binarize none', async () => {
    const csv = writeCsv('gray.csv', 20, 16, (r, c) => String(((r + c) % 5) / 4));
    const result = await cli(['train', ...TINY, '--data', csv, '--binarize', 'none', '--out', out()]);
    expectUserError(result, /binarize it \(dynamic binarization\) or choose a likelihood for grey levels \(continuous-bernoulli/);
    expectNothingWritten();
  });

  it('data of the wrong shape for the model', async () => {
    const flat = writeCsv('flat.csv', 20, 10, () => '1');
    expectUserError(await cli(['train', ...TINY, '--conv', '--data', flat, '--out', out()]), /--conv needs images/);
    expectNothingWritten();
    const small = writeCsv('small.csv', 20, 16, () => '0');
    const evalRun = await cli(['eval', '--model-file', join(run1, 'model.vaekit'), '--data', small, '--k', '2', '--backend', 'cpu']);
    expectUserError(evalRun, /expected examples of shape \[784\]/);
  });

  it('a truncated checkpoint on --resume', async () => {
    const broken = join(dir, 'broken');
    const made = await cli(['train', ...TINY, '--out', broken]);
    expect(made.code, made.stderr).toBe(0);
    const bytes = readFileSync(join(broken, 'checkpoint.vaekit'));
    writeFileSync(join(broken, 'checkpoint.vaekit'), bytes.subarray(0, bytes.length - 1000));
    const before = readdirSync(broken).map((f) => [f, statSync(join(broken, f)).mtimeMs]);
    expectUserError(await cli(['train', '--out', broken, '--resume', '--epochs', '2', '--backend', 'cpu']), /truncated/);
    expect(readdirSync(broken).map((f) => [f, statSync(join(broken, f)).mtimeMs])).toEqual(before);
  });

  it('trains on a small CSV of its own (4x4 pictures, a tenth held out at random)', async () => {
    const csv = writeCsv('own.csv', 40, 16, (r, c) => String((r + c) % 2));
    const own = join(dir, 'own');
    const result = await cli(['train', '--data', csv, '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--batch-size', '8', '--backend', 'cpu', '--out', own]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/final ELBO on 4 random rows \(10%, seed 0\) of/);
    // 39 pixels wide, enlarged 11 times to reach 400.
    expect(pngSize(join(own, 'samples.png'))).toEqual({ width: 11 * (8 * 4 + 7), height: 11 * (8 * 4 + 7) });
  });
});

describe('vaekit backends and help', () => {
  it('trains with compiled steps on native and says so; --compile off says op by op', async () => {
    const compiled = await cli(['train', ...TINY, '--backend', 'native', '--out', join(dir, 'compiled')]);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stderr).toMatch(/^steps: compiled into one TensorFlow function \(graph optimizer\), batch of \d+: \d+ ops/m);
    const eager = await cli(['train', ...TINY, '--backend', 'native', '--compile', 'off', '--out', join(dir, 'eager')]);
    expect(eager.code, eager.stderr).toBe(0);
    expect(eager.stderr).toMatch(/^steps: op by op \(--compile off\)$/m);
  });

  it('lists native with compiled steps, and cpu and wasm as available', async () => {
    const native = await cli(['backends']);
    expect(native.stdout).toMatch(/^native\s+yes\s+TensorFlow.*\s+yes\s+float32/m);
    const result = native;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^cpu\s+yes\s+JavaScript/m);
    expect(result.stdout).toMatch(/^wasm\s+yes\s+WebAssembly/m);
    expect(result.stdout).toMatch(/^webgl\s+no\s.*browser/m);
    expect(result.stdout).toMatch(/^webgpu\s+no\s.*browser/m);
  });

  it('prints help and the version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['train', 'sample', 'reconstruct', 'eval', 'backends']) expect(help.stdout).toContain(name);
    const trainHelp = await cli(['train', '--help']);
    expect(trainHelp.code).toBe(0);
    expect(trainHelp.stdout).toMatch(/--kl-warmup STEPS/);
    expect(trainHelp.stdout).toMatch(/^\s+Vae\s/m);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expectUserError(await cli(['fly']), /unknown command 'fly'/);
  });
});
