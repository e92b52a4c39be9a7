import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { withModelFile } from '../model-file.js';
import { requirePictureShape, samplesPicture, savePicture, SCALE_USAGE, scaleFlag } from '../pictures.js';
import { locateRun } from '../run-facts.js';
import { samplerFitData } from '../samplers/fit-data.js';
import { fitProgress } from '../samplers/fit-progress.js';
import { checkSamplerOutput, defaultSamplerPath, samplesPathBeside, writeSamplerFile } from '../samplers/sampler-file.js';
import { samplerListing, samplerNamed } from '../samplers/sampler-list.js';
import { samplerSettings } from '../samplers/settings-flag.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  sampler: { type: 'string' },
  out: { type: 'string' },
  set: { type: 'string', multiple: true },
  seed: { type: 'string' },
  limit: { type: 'string' },
  data: { type: 'string' },
  n: { type: 'string' },
  scale: { type: 'string' },
  list: { type: 'boolean' },
} as const;

function usage(): string {
  return `usage: vaekit fit-sampler --model-file runs/X/model.vaekit --sampler NAME [options]

Fits a sampler of latent codes to a trained model and the data it was trained on, writes it to a
sampler file (for vaekit sample --sampler) and a PNG grid of samples drawn with it beside that file.

samplers:
${samplerListing('  ')}

options:
  --model-file PATH   a model.vaekit written by vaekit train (required); its run folder's config.json
                      says which data and rows it trained on and held out
  --sampler NAME      which sampler to fit (required; see above)
  --out PATH          the sampler file to write (default sampler-NAME.vaekit beside the model file);
                      the samples grid goes beside it: samples-NAME.png for the default
                      file, else the file's name with .png (--out runs/x/gmm-8.vaekit: gmm-8.png)
  --set KEY=VALUE     a sampler setting, once per setting; the value is JSON or a plain word
                      (e.g. --set components=8)
  --seed N            seed of the fit's random choices and of the grid's draws (default 0)
  --limit N           fit on the first N training examples (default: the run's own --limit, else all)
  --data SOURCE       mnist, a .npy or .csv file, or a folder of PNGs (default: the run's data)
  --n N               how many samples in the grid (default 64, 8 per row)
${SCALE_USAGE}
  --list              list the registered samplers and exit
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;
}

export const fitSamplerCommand: Command = {
  name: 'fit-sampler',
  summary: 'fit a sampler of latent codes (e.g. a Gaussian mixture) to a trained model',
  // A getter: the list of samplers is read when help is shown, after every package has registered its own.
  get usage() {
    return usage();
  },
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    if (values.list) {
      process.stdout.write(`${samplerListing('')}\n`);
      return 0;
    }
    const definition = samplerNamed(values.sampler);
    const settings = samplerSettings(values.set);
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? 0;
    const limit = numberFlag('limit', values.limit, { integer: true, min: 1 });
    const n = numberFlag('n', values.n, { integer: true, min: 1 }) ?? 64;
    const scale = scaleFlag(values.scale);
    const modelFile = values['model-file'];
    if (modelFile === undefined) throw new UsageError('--model-file is required (a model.vaekit written by `vaekit train`)');
    const out = checkSamplerOutput(values.out ?? defaultSamplerPath(modelFile, definition.name));
    const picture = samplesPathBeside(out, definition.name);
    const { run } = locateRun({ 'model-file': modelFile });
    await withModelFile(modelFile, values.backend, {}, async (model) => {
      const reason = definition.unsupportedReason(model);
      if (reason !== undefined) throw new UsageError(`the ${definition.name} sampler cannot serve ${modelFile}: ${reason}`);
      const shape = requirePictureShape(model);
      const data = samplerFitData(model, values, run, seed, limit);
      process.stderr.write(`fitting the ${definition.name} sampler on ${data.description}\n`);
      const progress = fitProgress(process.stderr, `fitting ${definition.name}`);
      const sampler = await definition
        .fit(model, { train: data.train, heldOut: data.heldOut, seed, settings, onProgress: (event) => progress.update(event) })
        .finally(() => progress.clear());
      try {
        process.stderr.write(`fitted ${sampler.summary()}\n`);
        await writeSamplerFile(out, sampler);
        savePicture(picture, await samplesPicture(model, n, seed, shape, scale, sampler));
      } finally {
        sampler.dispose();
      }
    });
    process.stdout.write(`wrote the ${definition.name} sampler to ${out}\nwrote ${n} samples to ${picture}\n`);
    return 0;
  },
};

