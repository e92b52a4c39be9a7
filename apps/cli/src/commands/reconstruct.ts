import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { evaluationDataFor } from '../data-source.js';
import { locateRun, RUN_USAGE } from '../run-facts.js';
import { withModelFile } from '../model-file.js';
import { checkOutputFile, SCALE_USAGE, scaleFlag, reconstructionsPicture, requirePictureShape, savePicture } from '../pictures.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  run: { type: 'string' },
  data: { type: 'string' },
  rows: { type: 'string' },
  binarize: { type: 'string' },
  n: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  scale: { type: 'string' },
} as const;

const USAGE = `usage: vaekit reconstruct --run runs/X --out recon.png [options]   (or --model-file runs/X/model.vaekit)

Encodes examples and decodes them again: rows of originals alternate with rows of reconstructions.

options:
  --out PATH          the PNG to write (required)
${RUN_USAGE}
  --n N               how many examples (default 32, 8 per row)
  --seed N            seed of the binarization draws (default 0)
${SCALE_USAGE}
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
    const scale = scaleFlag(values.scale);
    const out = checkOutputFile(values.out);
    const { modelFile, run } = locateRun(values);
    await withModelFile(modelFile, values.backend, {}, async (model) => {
      const shape = requirePictureShape(model);
      const { data, rows } = evaluationDataFor(model, values, run, seed, n);
      process.stderr.write(`reconstructing ${rows}\n`);
      savePicture(out, await reconstructionsPicture(model, data, n, seed, shape, scale));
      process.stdout.write(`wrote ${Math.min(n, data.size)} reconstructions to ${out}\n`);
    });
    return 0;
  },
};
