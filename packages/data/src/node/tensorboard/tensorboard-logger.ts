import type { AsyncDataset, EpochEvent, StepEvent, VaeModel } from '@vaekit/core';
import { SeededRandom } from '@vaekit/core';
import { pictureShapeOf, type PictureShape } from '../../picture-shape.js';
import { tileImages } from '../../tile-images.js';
import { TensorBoardWriter } from './event-file-writer.js';
import { klPerDimensionOn } from './latent-kl.js';

/** What `tensorBoardLogger` measures besides the training events, and how often. */
export interface TensorBoardLoggerOptions {
  /**
   * Examples the KL per latent dimension is measured on at each epoch's end (the first `klExamples`
   * of them, the same every epoch). Without it no KL histogram is written.
   */
  validation?: AsyncDataset;
  /** How many validation examples the KL per dimension averages over. Default 256. */
  klExamples?: number;
  /** Prior samples in each epoch's grid; 0 writes no images. Default 64. */
  samples?: number;
  /** Seeds the sample grid's draws and the KL batch, so every epoch shows the same latent codes. Default 0. */
  seed?: number;
  /**
   * How one example is drawn: [height, width, channels]. Default: from the model's input shape
   * ([h, w], [h, w, c] or a square vector such as 784); a model whose examples are not pictures gets no grid.
   */
  pictureShape?: PictureShape;
  /** Write the step scalars every this many steps. Default 1. */
  everySteps?: number;
}

/** The handlers to pass to `train`, and the writer behind them. */
export interface TensorBoardLogger {
  /** The event file, for values of your own beside the logger's. */
  readonly writer: TensorBoardWriter;
  /** Writes the step's scalars; pass it as `train`'s `onStep`. */
  onStep(event: StepEvent): void;
  /** Writes the epoch's scalars, KL histogram and sample grid; pass it as `train`'s `onEpochEnd`. */
  onEpochEnd(event: EpochEvent, model: VaeModel): Promise<void>;
  /** Flushes and closes the event file. */
  close(): void;
}

/**
 * TensorBoard event files for a training run, in `dir`: spread `onStep` and `onEpochEnd` into `train`'s
 * options (calling your own handlers beside them if you have some) and `close()` when training ends.
 *
 * Per step (tags `step/…`): every loss term, the KL weight, the gradient norm, the learning rate and
 * examples per second. Per epoch (`epoch/train/…`, `epoch/validation/…`): the
 * epoch's mean terms and the skipped steps; the KL per latent dimension on a fixed validation batch as a
 * histogram (`latent/kl_per_dimension`, one value per dimension) with the count of active units
 * (`latent/active_units`, KL above 0.01 nats); and a grid of samples from the prior (`samples`). Every
 * value is written at the global step, so step and epoch charts share their x axis.
 *
 * Works on every backend: vaekit writes the event file itself. Each logger writes a new file; a run
 * resumed into the same folder replaces the steps it repeats (TensorBoard reads every file of a folder).
 */
export function tensorBoardLogger(dir: string, options: TensorBoardLoggerOptions = {}): TensorBoardLogger {
  const klExamples = options.klExamples ?? 256;
  const samples = options.samples ?? 64;
  const seed = options.seed ?? 0;
  const everySteps = options.everySteps ?? 1;
  checkWhole('klExamples', klExamples, 1);
  checkWhole('samples', samples, 0);
  checkWhole('everySteps', everySteps, 1);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
  const writer = new TensorBoardWriter(dir);
  // The first event of this process starts a session there, so a resumed run's repeated steps replace
  // what an earlier process logged past its checkpoint.
  let started = false;
  const start = (step: number): void => {
    if (started) return;
    writer.startSession(step);
    started = true;
  };

  return {
    writer,
    onStep(event) {
      start(event.step);
      if (event.step % everySteps !== 0) return;
      const values: Record<string, number> = {};
      for (const [term, value] of Object.entries(event.terms)) values[`step/${term}`] = value;
      values['step/kl_weight'] = event.klWeight;
      values['step/gradient_norm'] = event.gradientNorm;
      values['step/learning_rate'] = event.learningRate;
      values['step/examples_per_second'] = event.examplesPerSecond;
      writer.scalars(values, event.step);
    },
    async onEpochEnd(event, model) {
      start(event.step);
      const values: Record<string, number> = {};
      for (const [term, value] of Object.entries(event.train)) values[`epoch/train/${term}`] = value;
      for (const [term, value] of Object.entries(event.validation ?? {})) values[`epoch/validation/${term}`] = value;
      values['epoch/skipped_steps'] = event.skippedSteps;
      writer.scalars(values, event.step);
      if (options.validation) {
        const kl = await klPerDimensionOn(model, options.validation, klExamples, seed);
        if (kl) {
          writer.histogram('latent/kl_per_dimension', kl, event.step);
          writer.scalar('latent/active_units', kl.filter((v) => v > ACTIVE_UNIT_NATS).length, event.step);
        }
      }
      const shape = options.pictureShape ?? pictureShapeOf(model.inputShape);
      if (samples > 0 && shape) writer.image('samples', await sampleGrid(model, samples, seed, shape), event.step);
    },
    close: () => writer.close(),
  };
}

/** Burda et al.'s threshold, as `evaluate`'s active units use by default. */
const ACTIVE_UNIT_NATS = 0.01;

async function sampleGrid(model: VaeModel, count: number, seed: number, shape: PictureShape) {
  const drawn = model.sample(count, new SeededRandom(seed));
  let values: Float32Array;
  try {
    values = (await drawn.data()) as Float32Array;
  } finally {
    drawn.dispose();
  }
  const [height, width, channels] = shape;
  return tileImages(values, count, height, width, { columns: Math.min(count, 8), channels, scale: 'auto' });
}

function checkWhole(name: string, value: number, least: number): void {
  if (!Number.isInteger(value) || value < least) throw new RangeError(`${name} must be a whole number >= ${least}, got ${value}`);
}
