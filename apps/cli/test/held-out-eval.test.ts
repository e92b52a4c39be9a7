import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, encodePng } from '@vaekit/data/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, expectUserError, type CliOptions, type Run } from './helpers/cli.js';

const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

let dir: string;
let csv: string;
let run: string;
const TRAIN = ['--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--batch-size', '8', '--backend', 'cpu'];

/** A written PNG: its colour type (from the header), size and 8-bit RGB values. */
function readPicture(path: string): { colorType: number; width: number; height: number; data: Uint8Array } {
  const bytes = readFileSync(path);
  const image = decodePng(bytes, { channels: 3 });
  return { colorType: bytes[25]!, width: image.width, height: image.height, data: Uint8Array.from(image.data, (v) => Math.round(v * 255)) };
}

/** 40 rows of 16 grey levels in [0, 1]: a Bernoulli model needs them binarized. */
function writeGreyCsv(path: string): void {
  const rows = Array.from({ length: 40 }, (_, r) => Array.from({ length: 16 }, (_, c) => String(((r + c) % 5) / 4)).join(','));
  writeFileSync(path, `${rows.join('\n')}\n`);
}

function json(result: Run): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-held-out-'));
  csv = join(dir, 'grey.csv');
  writeGreyCsv(csv);
  run = join(dir, 'run');
  const trained = await cli(['train', '--data', csv, '--binarize', 'dynamic', ...TRAIN, '--out', run]);
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the run folder records the held-out rows; eval and reconstruct default to them', () => {
  it('config.json records the split (seed and fraction) and the binarization', () => {
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { args: Record<string, unknown>; data: Record<string, unknown> };
    expect(config.data['split']).toEqual({ heldOutFraction: 0.1, seed: 0, rows: 40 });
    expect(config.data['trainExamples']).toBe(36);
    expect(config.data['heldOut']).toMatch(/^4 random rows \(10%, seed 0\) of /);
    expect(config.args['binarize']).toBe('dynamic');
  });

  it('eval --run uses the run\'s file, its held-out rows and its binarization', async () => {
    const result = json(await cli(['eval', '--run', run, '--k', '2', '--json']));
    expect(result['examples']).toBe(4);
    expect(result['data']).toBe(csv);
    expect(result['rows']).toMatch(/the run's held-out rows of .*grey.csv: 4 random rows/);
    // The same from the model file inside the run folder, with the file named again.
    const viaModel = json(await cli(['eval', '--model-file', join(run, 'model.vaekit'), '--data', csv, '--k', '2', '--json']));
    expect(viaModel['examples']).toBe(4);
    expect(viaModel['elbo']).toBe(result['elbo']);
  });

  it('flags still override: --rows all, --binarize none (whose error names a flag eval takes)', async () => {
    expect(json(await cli(['eval', '--run', run, '--rows', 'all', '--k', '2', '--json']))['examples']).toBe(40);
    const refused = await cli(['eval', '--run', run, '--binarize', 'none', '--k', '2']);
    expectUserError(refused, /not 0 or 1 .* pass --binarize dynamic \(the model's bernoulli likelihood is fixed when it is trained\)$/);
    expect(refused.stderr).not.toMatch(/Gaussian likelihood/);
    expectUserError(await cli(['eval', '--run', run, '--rows', 'some']), /--rows must be one of held-out, all, got 'some'/, 2);
  });

  it('a copied model file has no run: its file is read whole, and --rows held-out says what is missing', async () => {
    const elsewhere = join(dir, 'copied');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'model.vaekit'), readFileSync(join(run, 'model.vaekit')));
    const args = ['eval', '--model-file', join(elsewhere, 'model.vaekit'), '--data', csv, '--binarize', 'dynamic', '--k', '2'];
    expect(json(await cli([...args, '--json']))['examples']).toBe(40);
    expectUserError(await cli([...args, '--rows', 'held-out']), /--rows held-out needs the run that trained the model/, 2);
  });

  it('reconstruct --run pictures the held-out rows', async () => {
    const out = join(dir, 'recon.png');
    const result = await cli(['reconstruct', '--run', run, '--out', out, '--scale', '4', '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/reconstructing the run's held-out rows of .*: 4 random rows/);
    expect(result.stdout).toMatch(/wrote 4 reconstructions/);
    // 4 originals over 4 reconstructions, 4x4 each, 1-pixel lines, 4 times enlarged.
    const png = readPicture(out);
    expect([png.width, png.height]).toEqual([4 * (4 * 4 + 3), 4 * (2 * 4 + 1)]);
  });

  it('a file that changed length since training is refused with a way out', async () => {
    const changed = join(dir, 'changed-run');
    const file = join(dir, 'changing.csv');
    writeGreyCsv(file);
    expect((await cli(['train', '--data', file, '--binarize', 'dynamic', ...TRAIN, '--out', changed])).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, 30).join('\n'));
    expectUserError(await cli(['eval', '--run', changed, '--k', '2']), /has 30 rows, but the run was trained on 40: .* pass --rows all/);
  });
});

describe('colour PNG data and picture scale', () => {
  it('trains a conv model on RGB PNGs with --channels 3 and writes colour pictures at --scale', async () => {
    const images = join(dir, 'colour');
    mkdirSync(images);
    for (let n = 0; n < 20; n++) {
      // Red left half, blue right half, brighter with n.
      const rgb = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => {
        const x = Math.floor(i / 3) % 8;
        const c = i % 3;
        return (c === 0 && x < 4) || (c === 2 && x >= 4) ? 100 + 5 * n : 0;
      });
      writeFileSync(join(images, `img${n}.png`), encodePng(rgb, 8, 8, 3));
    }
    const out = join(dir, 'colour-run');
    const result = await cli(['train', '--data', images, '--channels', '3', '--conv', '--likelihood', 'gaussian', ...TRAIN, '--scale', '3', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model: { inputShape: number[] }; args: Record<string, unknown> };
    expect(config.model.inputShape).toEqual([8, 8, 3]);
    expect(config.args['channels']).toBe(3);
    const recon = readPicture(join(out, 'reconstructions.png'));
    expect(recon.colorType).toBe(2);
    // 2 held-out images: one row of originals over one of reconstructions, 3 times enlarged.
    expect([recon.width, recon.height]).toEqual([3 * (2 * 8 + 1), 3 * (2 * 8 + 1)]);
    // The first original's top-left pixel is red, its top-right blue.
    const at = (x: number, y: number): number[] => Array.from(recon.data.subarray(3 * (y * recon.width + x), 3 * (y * recon.width + x) + 3));
    expect(at(0, 0)[0]).toBeGreaterThan(90);
    expect(at(0, 0).slice(1)).toEqual([0, 0]);
    expect(at(3 * 7, 0)[2]).toBeGreaterThan(90);

    const samples = join(dir, 'colour-samples.png');
    const sampled = await cli(['sample', '--model-file', join(out, 'model.vaekit'), '--n', '4', '--out', samples, '--backend', 'cpu']);
    expect(sampled.code, sampled.stderr).toBe(0);
    const picture = readPicture(samples);
    expect(picture.colorType).toBe(2);
    // 4 samples of 8x8 in one row: 35 pixels wide, so enlarged 12 times to reach 400 by default.
    expect([picture.width, picture.height]).toEqual([12 * 35, 12 * 8]);
    expectUserError(await cli(['sample', '--model-file', join(out, 'model.vaekit'), '--out', samples, '--scale', '0']), /--scale must be auto or a whole number from 1 to 64/, 2);
  });
});
