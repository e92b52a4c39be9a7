// 6. Crafted files under 1 MB, given to the CLI as a user would (eval --model-file, train --resume,
// train/eval/reconstruct --data a folder of PNGs): each is refused with one line, and the process's
// peak resident memory stays under 1 GB (measured by /usr/bin/time -v).
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, pool } from '../lib/harness.mjs';
import { cli, expectOneLineError, tail } from '../lib/cli.mjs';
import { craftModel } from '../lib/files.mjs';
import { measuredCli } from '../lib/memory.mjs';
import { deflatedZeros, pngFile } from '../lib/png.mjs';

const ONE_GB = 1024 ** 3;
const ONE_MB = 1024 ** 2;

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string, jobs: number }} ctx */
export async function run(ctx) {
  const { suite } = ctx;
  const dir = join(ctx.tmp, 'crafted');
  mkdirSync(dir, { recursive: true });
  const p = (/** @type {string} */ name) => join(dir, name);
  const backend = ['--backend', ctx.backend];
  const tiny = ['--limit', '256', '--hidden', '32', '--latent-dim', '4', '--batch-size', '128', '--epochs', '1', ...backend];
  const run = p('run');
  const model = join(run, 'model.vaekit');

  const made = await suite.case('crafted files: set-up (a finished run to craft from, PNG bombs)', async () => {
    const made = await cli(['train', ...tiny, '--out', run], { timeoutMs: 180_000 });
    check(made.code === 0, () => `the run failed: ${tail(made.stderr)}`);
    // A model file claiming one weight of 10^10 floats (40 GB).
    await craftModel(model, p('huge-weight.vaekit'), (m) => void (/** @type {any} */ (m.weights[0]).shape = [100_000, 100_000]));
    // A config asking for 30000-unit layers, the weight list left as it was (small).
    await craftModel(model, p('wide-config.vaekit'), (m) => void (m.config.architecture.hiddenUnits = [30_000, 30_000]));
    // The same config with a weight list to match (3.6 GB of floats declared) over the same small payload.
    await craftModel(model, p('wide-consistent.vaekit'), (m) => {
      m.config.architecture.hiddenUnits = [30_000, 30_000];
      m.weights = [
        { name: 'encoder/0/kernel', shape: [784, 30_000], dtype: 'float32' },
        { name: 'encoder/0/bias', shape: [30_000], dtype: 'float32' },
        { name: 'encoder/1/kernel', shape: [30_000, 30_000], dtype: 'float32' },
        { name: 'encoder/1/bias', shape: [30_000], dtype: 'float32' },
        { name: 'encoder/2/kernel', shape: [30_000, 8], dtype: 'float32' },
        { name: 'encoder/2/bias', shape: [8], dtype: 'float32' },
        { name: 'decoder/0/kernel', shape: [4, 30_000], dtype: 'float32' },
        { name: 'decoder/0/bias', shape: [30_000], dtype: 'float32' },
        { name: 'decoder/1/kernel', shape: [30_000, 30_000], dtype: 'float32' },
        { name: 'decoder/1/bias', shape: [30_000], dtype: 'float32' },
        { name: 'decoder/2/kernel', shape: [30_000, 784], dtype: 'float32' },
        { name: 'decoder/2/bias', shape: [784], dtype: 'float32' },
      ];
    });
    // A latent space of 50 million dimensions, and an input of a billion values.
    await craftModel(model, p('huge-latent.vaekit'), (m) => void (m.config.latentDim = 50_000_000));
    await craftModel(model, p('huge-input.vaekit'), (m) => void (m.config.inputShape = [1_000_000_000]));
    // A checkpoint whose step was edited (24 -> 9024-like) without fixing its checksum.
    cpSync(run, p('step-edited'), { recursive: true });
    const checkpoint = join(p('step-edited'), 'checkpoint.vaekit');
    const text = readFileSync(checkpoint).toString('latin1');
    check(/"step":\d+/.test(text), 'the checkpoint header has no "step" to edit');
    const edited = Buffer.from(text.replace(/"step":(\d+)/, '"step":90$1'), 'latin1');
    edited.writeUInt32LE(edited.readUInt32LE(8) + 2, 8); // the header grew by two characters
    writeFileSync(checkpoint, edited);
    // PNG bombs: 400 MB of zeros declared as one 20000x20000 image, or inflated by a 64x64 interlaced one,
    // and a folder of 40 images at the per-image limit whose pixels together pass the folder limit.
    const zeros400MB = await deflatedZeros(20_000 * 20_001);
    mkdirSync(p('bomb'));
    writeFileSync(join(p('bomb'), 'bomb.png'), pngFile({ width: 20_000, height: 20_000 }, zeros400MB));
    mkdirSync(p('interlaced-bomb'));
    writeFileSync(join(p('interlaced-bomb'), 'bomb.png'), pngFile({ width: 64, height: 64, interlace: 1 }, zeros400MB));
    mkdirSync(p('folder-bomb'));
    const atLimit = pngFile({ width: 2048, height: 2048 }, await deflatedZeros(2048 * 2049));
    for (let i = 0; i < 40; i++) writeFileSync(join(p('folder-bomb'), `img${i}.png`), atLimit);
  });
  if (!made) return;

  /** @type {{ name: string, args: string[], files: string, pattern: RegExp }[]} */
  const cases = [
    { name: 'a model file claiming a 100000x100000 weight', files: p('huge-weight.vaekit'), args: ['eval', '--model-file', p('huge-weight.vaekit'), '--k', '2', '--limit', '16', ...backend], pattern: /huge-weight\.vaekit/ },
    { name: 'a model file whose config asks for 30000-unit layers', files: p('wide-config.vaekit'), args: ['eval', '--model-file', p('wide-config.vaekit'), '--k', '2', '--limit', '16', ...backend], pattern: /wide-config\.vaekit/ },
    { name: 'a model file declaring 30000-unit layers and weights to match', files: p('wide-consistent.vaekit'), args: ['sample', '--model-file', p('wide-consistent.vaekit'), '--out', p('never.png'), ...backend], pattern: /wide-consistent\.vaekit/ },
    { name: 'a model file with a 50-million-dimension latent space', files: p('huge-latent.vaekit'), args: ['sample', '--model-file', p('huge-latent.vaekit'), '--out', p('never.png'), ...backend], pattern: /huge-latent\.vaekit/ },
    { name: 'a model file with an input of a billion values', files: p('huge-input.vaekit'), args: ['reconstruct', '--model-file', p('huge-input.vaekit'), '--out', p('never.png'), ...backend], pattern: /huge-input\.vaekit/ },
    { name: 'a checkpoint whose step was edited', files: join(p('step-edited'), 'checkpoint.vaekit'), args: ['train', '--out', p('step-edited'), '--resume', '--epochs', '2', ...backend], pattern: /checkpoint\.vaekit.*checksum/ },
    { name: 'train --data: a 389 kB PNG declaring 20000x20000 pixels', files: p('bomb'), args: ['train', ...tiny, '--data', p('bomb'), '--out', p('never')], pattern: /20000x20000 pixels, over the limit/ },
    { name: 'train --data: a 64x64 interlaced PNG inflating to 400 MB', files: p('interlaced-bomb'), args: ['train', ...tiny, '--data', p('interlaced-bomb'), '--out', p('never')], pattern: /inflates past the \d+ bytes its 64x64 pixels need/ },
    { name: 'train --data: 40 PNGs at the per-image limit (a folder bomb)', files: p('folder-bomb'), args: ['train', ...tiny, '--data', p('folder-bomb'), '--out', p('never')], pattern: /over the limit of \d+/ },
    { name: 'eval --data: the 20000x20000 PNG', files: p('bomb'), args: ['eval', '--model-file', model, '--data', p('bomb'), '--k', '2', ...backend], pattern: /20000x20000 pixels, over the limit/ },
    { name: 'reconstruct --data: the interlaced PNG bomb', files: p('interlaced-bomb'), args: ['reconstruct', '--model-file', model, '--data', p('interlaced-bomb'), '--out', p('never.png'), ...backend], pattern: /inflates past/ },
  ];

  await pool(cases, ctx.jobs, async (c) => {
    await suite.case(`crafted file under 1 GB: ${c.name}`, async () => {
      const size = statSync(c.files).isDirectory() ? readdirSync(c.files).reduce((n, f) => n + statSync(join(c.files, f)).size, 0) : statSync(c.files).size;
      check(size < ONE_MB, `the crafted input is ${size} bytes, not under 1 MB`);
      const result = await measuredCli(c.args, { timeoutMs: 90_000, ceilingBytes: 2.5 * ONE_GB });
      const peak = `${(result.peakBytes / ONE_MB).toFixed(0)} MB`;
      check(!result.killedForMemory, `killed at 2.5 GB of resident memory (peak ${peak}): ${tail(result.stderr, 300)}`);
      check(!result.timedOut, `ran over 90 s (peak ${peak}): ${tail(result.stderr, 300)}`);
      check(result.peakBytes < ONE_GB, `peak resident memory ${peak}, over 1 GB: ${tail(result.stderr, 300)}`);
      expectOneLineError(result, c.pattern, result.code === 2 ? 2 : 1);
      return `${(size / 1024).toFixed(0)} kB, peak RSS ${peak}`;
    });
  });
}
