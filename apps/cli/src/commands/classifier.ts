import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import { selectBackend } from '../backend.js';
import type { Command } from '../command.js';
import { defaultClassifierPath, DEFAULT_CLASSIFIER_TRAINING, trainAndSaveClassifier } from '../quality/classifier-cache.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  out: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const USAGE = `usage: vaekit classifier [options]

Trains the small convolutional MNIST digit classifier whose features \`vaekit quality\` compares, on the
60,000 training digits; reports its accuracy on the 10,000 test digits and saves it for later commands.

options:
  --out PATH          where to save it (default $VAEKIT_CACHE_DIR/classifiers/mnist-digits.vaekit,
                      or ~/.cache/vaekit/classifiers/mnist-digits.vaekit)
  --epochs N          passes over the training digits (default ${DEFAULT_CLASSIFIER_TRAINING.epochs})
  --seed N            seed of the weights and the example order (default 0)
  --json              print one JSON object on stdout and nothing else
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;

export const classifierCommand: Command = {
  name: 'classifier',
  summary: 'train and cache the MNIST digit classifier that vaekit quality uses',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const epochs = numberFlag('epochs', values.epochs, { integer: true, min: 1 }) ?? DEFAULT_CLASSIFIER_TRAINING.epochs;
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? DEFAULT_CLASSIFIER_TRAINING.seed;
    const json = values.json === true;
    const out = values.out ?? defaultClassifierPath();
    const backend = await selectBackend(values.backend, { quiet: json });
    const { classifier, testAccuracy } = await trainAndSaveClassifier(out, { epochs, seed }, json);
    classifier.dispose();
    process.stdout.write(
      json
        ? `${JSON.stringify({ classifier: out, backend: backend.name, epochs, seed, testAccuracy })}\n`
        : `test accuracy ${(testAccuracy * 100).toFixed(2)}% on the 10,000 test digits; saved to ${out}\n`,
    );
    return 0;
  },
};
