import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, expectUserError, type CliOptions, type Run } from './helpers/cli.js';

const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

let dir: string;
let bytes: string;
const TRAIN = ['--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--batch-size', '8', '--backend', 'cpu'];

/** A uint8 .npy of 40 rows of 12 pixel bytes: 8-bit levels k/255 once loaded. */
function writeBytesNpy(path: string): void {
  const body = Uint8Array.from({ length: 40 * 12 }, (_, i) => (i * 37) % 256);
  let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (40, 12), }";
  header = `${header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ')}\n`;
  const prefix = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-likelihood-'));
  bytes = join(dir, 'bytes.npy');
  writeBytesNpy(bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaekit train --likelihood', () => {
  it('trains with any registered likelihood and its fields, records them, and eval reports them with bits per dimension', async () => {
    const out = join(dir, 'logistic');
    const trained = await cli([
      'train', '--data', bytes, '--likelihood', 'discretized-logistic', '--set', 'likelihood.scale=learned-global', '--set', 'likelihood.s=0.05', ...TRAIN, '--out', out,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { args: { likelihood: string; binarize: string }; model: { likelihood: unknown } };
    expect(config.args).toMatchObject({ likelihood: 'discretized-logistic', binarize: 'none' });
    expect(config.model.likelihood).toEqual({ type: 'discretized-logistic', scale: 'learned-global', s: 0.05, minS: 0.001 });

    const evaluated = await cli(['eval', '--run', out, '--k', '4', '--backend', 'cpu']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/likelihood\s+discretized-logistic/);
    expect(evaluated.stdout).toMatch(/IWAE NLL \(k=4\)\s+\d+\.\d+ nats \(\d+\.\d+ bits\/dim\)/);
  });

  it('refuses an unknown likelihood, an unknown likelihood field and a bad field value as usage errors naming what is allowed', async () => {
    expectUserError(await cli(['train', '--likelihood', 'poisson', ...TRAIN]), /unknown --likelihood 'poisson': use bernoulli, continuous-bernoulli, discretized-logistic, gaussian, laplace/, 2);
    expectUserError(
      await cli(['train', '--data', bytes, '--likelihood', 'gaussian', '--set', 'likelihood.sgima=0.1', ...TRAIN, '--out', join(dir, 'typo')]),
      /has no config field 'sgima'; its fields are minSigma, sigma, variance/,
      2,
    );
    expectUserError(
      await cli(['train', '--data', bytes, '--likelihood', 'laplace', '--set', 'likelihood.scale=wide', ...TRAIN, '--out', join(dir, 'wide')]),
      /scale must be 'fixed' or 'learned-global' or 'learned-per-pixel', got wide/,
      2,
    );
  });

  it("checks the data against the likelihood's support before training", async () => {
    const grey = join(dir, 'grey.csv');
    writeFileSync(grey, `${Array.from({ length: 20 }, () => '0.5,0.25,0.125').join('\n')}\n`);
    const refused = await cli(['train', '--data', grey, '--likelihood', 'discretized-logistic', ...TRAIN, '--out', join(dir, 'grey')]);
    expectUserError(refused, /outside what the discretized-logistic likelihood models \(the 256 levels k\/255.*continuous-bernoulli/);
    const help = await cli(['train', '--help']);
    expect(help.stdout).toMatch(/likelihoods \(--likelihood[\s\S]*continuous-bernoulli\s+continuous Bernoulli/);
  });
});
