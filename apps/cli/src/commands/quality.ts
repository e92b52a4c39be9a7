import { frechetDistance, precisionRecall } from '@vaekit/core';
import { digitFeatures } from '@vaekit/variants';
import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
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
} as const;

const USAGE = `usage: vaekit quality --model-file runs/X/model.vaekit [options]

Scores a digit model's samples against the 10,000 held-out MNIST test digits in the feature space of a
small digit classifier: the Fréchet distance between the two feature sets (lower is better) and
k-nearest-neighbour precision (samples that look real) and recall (real digits the samples cover).
Trains and caches the classifier first if there is none (see vaekit classifier).

options:
  --model-file PATH   a model.vaekit of 28×28 single-channel pictures (required)
  --sampler PATH      draw the latent codes with this sampler file (default: the model's prior)
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
    await withModelFile(values['model-file'], values.backend, { quiet: json, refuseNonFinite: true }, async (model, backend) => {
      requireDigitModel(model);
      const samples = await sampleDigits(model, n, seed, values.sampler);
      const { classifier, testAccuracy } = await cachedClassifier(classifierPath, json);
      try {
        const test = mnistDigits('test');
        const real = await digitFeatures(classifier, test.images, test.count);
        const generated = await digitFeatures(classifier, samples, n);
        if (!json) process.stderr.write(`comparing ${n} samples with ${test.count} test digits in ${real.dims} classifier features\n`);
        const fd = frechetDistance(real, generated);
        const { precision, recall } = precisionRecall(real, generated, { k });
        const result = {
          model: model.className,
          sampler: values.sampler ?? 'prior',
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
        process.stdout.write(
          json
            ? `${JSON.stringify(result)}\n`
            : [
                `Fréchet distance     ${fd.toFixed(3)}   (lower is better; 0 for the test digits themselves)`,
                `precision (k=${k})      ${precision.toFixed(4)}`,
                `recall (k=${k})         ${recall.toFixed(4)}`,
                `classifier accuracy  ${(testAccuracy * 100).toFixed(2)}% on the 10,000 test digits`,
                '',
              ].join('\n'),
        );
      } finally {
        classifier.dispose();
      }
    });
    return 0;
  },
};
