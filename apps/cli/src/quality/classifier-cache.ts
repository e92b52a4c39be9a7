import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DigitClassifier, deserializeDigitClassifier, digitAccuracy, serializeDigitClassifier, trainDigitClassifier } from '@vaekit/variants';
import { bar, ProgressLine } from '../progress.js';
import { mnistDigits } from './mnist-digits.js';

/** Where the trained digit classifier is kept: $VAEKIT_CACHE_DIR, else ~/.cache/vaekit, under classifiers/. */
export function defaultClassifierPath(): string {
  const root = process.env['VAEKIT_CACHE_DIR'] || join(homedir(), '.cache', 'vaekit');
  return join(root, 'classifiers', 'mnist-digits.vaekit');
}

export interface ClassifierTraining {
  readonly epochs: number;
  readonly seed: number;
  /** Train on the first this many training digits (all 60,000 by default). */
  readonly limit?: number;
}

export const DEFAULT_CLASSIFIER_TRAINING: ClassifierTraining = { epochs: 3, seed: 0 };

/**
 * Trains the digit classifier on MNIST's training digits with a progress line on stderr, measures its
 * accuracy on the 10,000 test digits and writes it (with that accuracy) to `path`, atomically.
 */
export async function trainAndSaveClassifier(path: string, training: ClassifierTraining, quiet = false): Promise<{ classifier: DigitClassifier; testAccuracy: number }> {
  const all = mnistDigits('train');
  const count = Math.min(all.count, training.limit ?? all.count);
  const train = { images: all.images.subarray(0, count * 784), labels: all.labels.slice(0, count), count };
  const classifier = new DigitClassifier({ className: 'DigitClassifier', filters: [32, 64], featureUnits: 128, seed: training.seed });
  try {
    const line = quiet ? null : new ProgressLine(process.stderr);
    let epochShown = 0;
    await trainDigitClassifier(classifier, train, {
      epochs: training.epochs,
      seed: training.seed,
      onStep: (step) => {
        if (!line) return;
        if (step.epoch !== epochShown) {
          epochShown = step.epoch;
          line.restart();
        }
        const fraction = step.batch / step.batches;
        const head = `classifier epoch ${step.epoch}/${step.epochs}  batch ${step.batch}/${step.batches}`;
        line.show(fraction, () => `${head} ${bar(fraction, 20)} ${Math.floor(fraction * 100)}%  loss ${step.loss.toFixed(4)}`, () => `${head} (${Math.floor(fraction * 100)}%)  loss ${step.loss.toFixed(4)}`);
      },
    });
    line?.clear();
    const testAccuracy = await digitAccuracy(classifier, mnistDigits('test'));
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.partial-${process.pid}`;
    writeFileSync(partial, await serializeDigitClassifier(classifier, testAccuracy));
    renameSync(partial, path);
    return { classifier, testAccuracy };
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

/** The cached classifier at `path`, or one trained and cached now (said on stderr unless quiet). */
export async function cachedClassifier(path: string, quiet: boolean): Promise<{ classifier: DigitClassifier; testAccuracy: number }> {
  if (existsSync(path)) {
    const { classifier, testAccuracy } = await deserializeDigitClassifier(new Uint8Array(readFileSync(path)), path);
    if (testAccuracy !== null) return { classifier, testAccuracy };
    try {
      return { classifier, testAccuracy: await digitAccuracy(classifier, mnistDigits('test')) };
    } catch (error) {
      classifier.dispose();
      throw error;
    }
  }
  if (!quiet) process.stderr.write(`no digit classifier cached at ${path}: training one first (vaekit classifier)\n`);
  return trainAndSaveClassifier(path, DEFAULT_CLASSIFIER_TRAINING, quiet);
}
