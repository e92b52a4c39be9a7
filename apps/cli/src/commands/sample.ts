import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { withModelFile } from '../model-file.js';
import { checkOutputFile, SCALE_USAGE, scaleFlag, requirePictureShape, samplesPicture, savePicture } from '../pictures.js';
import { readSamplerFile, requireSamplerFile } from '../samplers/sampler-file.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  n: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  scale: { type: 'string' },
  sampler: { type: 'string' },
} as const;

const USAGE = `usage: vaekit sample --model-file runs/X/model.vaekit --out samples.png [options]

Draws latent codes from the prior (or from a sampler fitted by vaekit fit-sampler) and writes the
decoded pictures as one PNG grid.

options:
  --model-file PATH   a model.vaekit written by vaekit train (required)
  --out PATH          the PNG to write (required)
  --n N               how many samples (default 64, 8 per row)
  --seed N            seed of the latent draws (default 0)
  --sampler FILE      draw the codes with this sampler file (from vaekit fit-sampler) instead of the prior
${SCALE_USAGE}
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'draw samples from a trained model into a PNG grid',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const n = numberFlag('n', values.n, { integer: true, min: 1 }) ?? 64;
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? 0;
    const scale = scaleFlag(values.scale);
    const out = checkOutputFile(values.out);
    const samplerFile = values.sampler === undefined ? undefined : requireSamplerFile(values.sampler);
    await withModelFile(values['model-file'], values.backend, {}, async (model) => {
      const shape = requirePictureShape(model);
      const sampler = samplerFile === undefined ? undefined : await readSamplerFile(samplerFile);
      try {
        savePicture(out, await samplesPicture(model, n, seed, shape, scale, sampler));
      } finally {
        sampler?.dispose();
      }
    });
    process.stdout.write(`wrote ${n} samples to ${out}\n`);
    return 0;
  },
};
