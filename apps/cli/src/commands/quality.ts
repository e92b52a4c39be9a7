import { frechetDistance, precisionRecall } from '@vaekit/core';
import type { BackendInfo } from '@vaekit/backends';
import { digitFeatures } from '@vaekit/variants';
import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { selectBackend } from '../backend.js';
import { withModelFile } from '../model-file.js';
import { cachedClassifier, defaultClassifierPath } from '../quality/classifier-cache.js';
import { mnistDigits } from '../quality/mnist-digits.js';
import { requireDigitModel, sampleDigits } from '../quality/sample-digits.js';
import { UsageError } from '../errors.js';
import { existsSync } from 'node:fs';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  sampler: { type: 'string' },
  classifier: { type: 'string' },
  n: { type: 'string' },
  k: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  'training-digits': { type: 'boolean' },
} as const;

const USAGE = `usage: vaekit quality --model-file runs/X/model.vaekit [options]
       vaekit quality --training-digits [options]

Scores a digit model's samples against the 10,000 held-out MNIST test digits in the feature space of a
small digit classifier: the Fréchet distance between the two feature sets (lower is better) and
k-nearest-neighbour precision (samples that look real) and recall (real digits the samples cover).
Trains and caches the classifier first if there is none (see vaekit classifier).

options:
  --model-file PATH   a model.vaekit of 28×28 single-channel pictures (required)
  --sampler PATH      draw the latent codes with this sampler file (default: the model's prior)
  --training-digits   score the first N MNIST training digits instead of a model's samples: what a
                      model that draws real digits would score, to read the other figures against
  --n N               how many samples (default 10000)
  --k N               neighbours of the precision/recall radii (default 3)
  --seed N            seed of the draws (default 0)
  --classifier PATH   the classifier file (default the cached one, ${defaultClassifierPath()})
  --json              print one JSON object on stdout and nothing else
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;

export const qualityCommand: Command = {
  name: 'quality',
  summary: 'Fréchet distance, precision and recall of a digit model’s samples',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const n = numberFlag('n', values.n, { integer: true, min: 4 }) ?? 10_000;
    const k = numberFlag('k', values.k, { integer: true, min: 1 }) ?? 3;
    if (k >= n) throw new UsageError(`--k ${k} must be below --n ${n}`);
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? 0;
    const json = values.json === true;
    if (values.sampler !== undefined && !existsSync(values.sampler)) throw new UsageError(`no sampler file at ${values.sampler}`);
    const classifierPath = values.classifier ?? defaultClassifierPath();
    const score = async (source: { readonly model: string; readonly sampler: string }, images: Float32Array, backend: BackendInfo): Promise<void> => {
      const { classifier, testAccuracy } = await cachedClassifier(classifierPath, json);
      try {
        const test = mnistDigits('test');
        const real = await digitFeatures(classifier, test.images, test.count);
        const generated = await digitFeatures(classifier, images, n);
        if (!json) process.stderr.write(`comparing ${n} ${source.model === TRAINING_DIGITS ? 'training digits' : 'samples'} with ${test.count} test digits in ${real.dims} classifier features\n`);
        const fd = frechetDistance(real, generated);
        const { precision, recall } = precisionRecall(real, generated, { k });
        const result = {
          ...source,
          backend: backend.name,
          samples: n,
          seed,
          frechetDistance: fd,
          precision,
          recall,
          k,
          classifier: classifierPath,
          classifierTestAccuracy: testAccuracy,
        };
        process.stdout.write(json ? `${JSON.stringify(result)}\n` : describe(result));
      } finally {
        classifier.dispose();
      }
    };
    if (values['training-digits'] === true) {
      if (values['model-file'] !== undefined || values.sampler !== undefined) {
        throw new UsageError('--training-digits scores real digits, so it takes no --model-file or --sampler');
      }
      const train = mnistDigits('train');
      if (n > train.count) throw new UsageError(`--n ${n} is more than the ${train.count} training digits`);
      const backend = await selectBackend(values.backend, { quiet: json });
      await score({ model: TRAINING_DIGITS, sampler: 'none' }, train.images.subarray(0, n * DIGIT_PIXELS), backend);
      return 0;
    }
    await withModelFile(values['model-file'], values.backend, { quiet: json, refuseNonFinite: true }, async (model, backend) => {
      requireDigitModel(model);
      const samples = await sampleDigits(model, n, seed, values.sampler);
      await score({ model: model.className, sampler: values.sampler ?? 'prior' }, samples, backend);
    });
    return 0;
  },
};

const TRAINING_DIGITS = 'MNIST training digits';
const DIGIT_PIXELS = 28 * 28;

function describe(result: { frechetDistance: number; precision: number; recall: number; k: number; classifierTestAccuracy: number }): string {
  const { frechetDistance: fd, precision, recall, k, classifierTestAccuracy } = result;
  return [
    `Fréchet distance     ${fd.toFixed(3)}   (lower is better; 0 for the test digits themselves)`,
    `precision (k=${k})      ${precision.toFixed(4)}`,
    `recall (k=${k})         ${recall.toFixed(4)}`,
    `classifier accuracy  ${(classifierTestAccuracy * 100).toFixed(2)}% on the 10,000 test digits`,
    '',
  ].join('\n');
}
