import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { evaluationDataFor } from '../data-source.js';
import { withModelFile } from '../model-file.js';
import { checkOutputFile, reconstructionsPicture, requirePictureShape, savePicture } from '../pictures.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  data: { type: 'string', default: 'mnist' },
  binarize: { type: 'string' },
  n: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
} as const;

const USAGE = `usage: vaekit reconstruct --model-file runs/X/model.vaekit --out recon.png [options]

Encodes examples and decodes them again: rows of originals alternate with rows of reconstructions.

options:
  --model-file PATH   a model.vaekit written by vaekit train (required)
  --out PATH          the PNG to write (required)
  --data SOURCE       mnist (default: its test split), a .npy or .csv file, or a folder of PNGs
  --binarize B        dynamic, static or none (default dynamic for mnist with bernoulli, else none)
  --n N               how many examples (default 32, 8 per row)
  --seed N            seed of the binarization draws (default 0)
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'show examples next to their reconstructions in a PNG grid',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const n = numberFlag('n', values.n, { integer: true, min: 1 }) ?? 32;
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? 0;
    const out = checkOutputFile(values.out);
    await withModelFile(values['model-file'], values.backend, {}, async (model) => {
      const shape = requirePictureShape(model);
      const data = evaluationDataFor(model, values, seed, n);
      savePicture(out, await reconstructionsPicture(model, data, n, seed, shape));
      process.stdout.write(`wrote ${Math.min(n, data.size)} reconstructions to ${out}\n`);
    });
    return 0;
  },
};
