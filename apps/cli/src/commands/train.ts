import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decodeCheckpoint, klWarmup, train, type Dataset, type EpochEvent, type TrainResult, type VaeModel } from '@vaekit/core';
import { fileCheckpointStore, readFileIfExists, saveModel } from '@vaekit/core/node';
import type { Binarization } from '@vaekit/data';
import { BACKEND_OPTION, choiceFlag, COMMON_OPTIONS, configOverrides, intListFlag, numberFlag, parse } from '../args.js';
import { selectBackend } from '../backend.js';
import { COMPILE_OPTION, COMPILE_USAGE, compileSetting, describeCompile } from '../compile-flag.js';
import type { Command } from '../command.js';
import { isMnist, loadTrainingData, resolveBinarization, sameShape, type LikelihoodKind } from '../data-source.js';
import { EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { formatDuration, formatNumber, formatTerms } from '../format.js';
import { buildModel, describeModels, modelConfig, resolveModelClass } from '../models.js';
import { interpolationPicture, pictureShape, reconstructionsPicture, samplesPicture, savePicture, type PictureShape } from '../pictures.js';
import { TrainProgress } from '../progress.js';
import {
  appendJsonLine,
  isNonEmptyFolder,
  lastJsonLine,
  readJson,
  removeRunFiles,
  RUN_FILES,
  runPath,
  writeJson,
} from '../run-folder.js';
import { VERSION } from '../version.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  ...COMPILE_OPTION,
  model: { type: 'string' },
  data: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'latent-dim': { type: 'string' },
  hidden: { type: 'string' },
  conv: { type: 'boolean' },
  likelihood: { type: 'string' },
  binarize: { type: 'string' },
  'kl-warmup': { type: 'string' },
  'free-bits': { type: 'string' },
  beta: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  force: { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;

/** Everything that defines a run, as saved in config.json; a resume reads it back. */
interface RunArgs {
  model: string;
  data: string;
  epochs: number;
  batchSize: number;
  lr: number;
  latentDim: number | null;
  hidden: number[] | null;
  conv: boolean;
  likelihood: LikelihoodKind;
  binarize: Binarization;
  klWarmup: number;
  freeBits: number;
  beta: number | null;
  seed: number;
  limit: number | null;
  checkpointEvery: number;
  /** Model-config fields from `--set key=value` (absent in runs saved before the flag existed). */
  set?: Record<string, unknown>;
}

interface RunConfig {
  vaekit: string;
  createdAt: string;
  args: RunArgs;
  model: { className: string } & Record<string, unknown>;
  data: { exampleShape: number[]; trainExamples: number; heldOut: string };
}

/** The flag each RunArgs field comes from, for messages. */
const FLAG_OF: Record<keyof RunArgs, string> = {
  model: '--model',
  data: '--data',
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  latentDim: '--latent-dim',
  hidden: '--hidden',
  conv: '--conv',
  likelihood: '--likelihood',
  binarize: '--binarize',
  klWarmup: '--kl-warmup',
  freeBits: '--free-bits',
  beta: '--beta',
  seed: '--seed',
  limit: '--limit',
  checkpointEvery: '--checkpoint-every',
  set: '--set',
};

/** What may change when a run is resumed: how long it goes on and how often it saves, nothing that alters the math. */
const CHANGEABLE_ON_RESUME: ReadonlySet<keyof RunArgs> = new Set(['epochs', 'checkpointEvery']);

/** Held-out examples evaluated after each epoch: enough for a steady ELBO, few enough to stay quick. */
const HELD_OUT_LIMIT = 2000;
/** Fixed seeds for the pictures, so the grids of different epochs show the same latent draws and digits. */
const PICTURE_SEED = 20240;

const USAGE = `usage: vaekit train [options]

Trains a model and writes checkpoint.vaekit, model.vaekit, config.json, metrics.jsonl and
samples/reconstructions/interpolation PNGs into --out.

options:
  --model NAME            registered model class (default VAE; case-insensitive)
  --data SOURCE           mnist (default), a .npy or .csv file, or a folder of PNGs
  --epochs N              epochs to train (default 10; on --resume, the new total)
  --batch-size N          examples per step (default 128)
  --lr X                  Adam learning rate (default 1e-3)
  --latent-dim N          latent dimensions (default: the model's, 32 for VAE)
  --hidden A,B            MLP hidden layer widths (default: the model's, 512,512 for VAE);
                          with --conv, one number: the dense layer's width (default 256)
  --conv                  convolutional encoder/decoder (image data, e.g. 28x28)
  --likelihood L          bernoulli (default) or gaussian (fixed unit variance)
  --binarize B            dynamic, static or none (default dynamic for mnist with bernoulli, else none)
  --kl-warmup STEPS       ramp the KL weight from 0 to 1 over STEPS steps (default 0: off)
  --free-bits NATS        free-bits floor per latent dimension (default 0: off)
  --beta B                weight on the KL term (default: the model's, 1 for VAE)
  --seed N                seed for weights, shuffling, binarization and noise (default 0)
  --limit N               train on the first N examples only
  --out DIR               run folder (default runs/<model>-<date>)
  --resume                continue the run in --out from its checkpoint, with its saved settings
  --force                 start over in an existing --out (its run files are replaced)
  --checkpoint-every N    also checkpoint every N steps (default: each epoch end only)
  --set KEY=VALUE         set one field of the model's config, repeatable; VALUE is JSON or a word,
                          e.g. --set latentDims=[64,32] (LadderVAE), --set flowSteps=4 (flows),
                          --set codebookSize=128 (VQVAE); fields are listed in the package docs
  --backend B             auto (default), native, wasm or cpu
${COMPILE_USAGE}
  --debug                 print stack traces for every error
  -h, --help              this help

Ctrl-C stops at the next step, writes a checkpoint and exits with code 130.`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model; checkpoints, metrics and picture grids go into --out',
  get usage() {
    return `${USAGE}\n\nmodels:\n${describeModels()}`;
  },
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  const requested = requestedArgs(values);
  if (values.resume && values.force) throw new UsageError('--resume and --force contradict each other: pick one');

  // 1. Decide the run's settings and check its folder, all before anything is written.
  let args: RunArgs;
  let out: string;
  let startingCheckpoint: { step: number; epoch: number } | null = null;
  if (values.resume) {
    if (!values.out) throw new UsageError('--resume needs --out, the run folder to continue');
    out = values.out;
    const configPath = runPath(out, 'config');
    if (!existsSync(configPath)) throw new UsageError(`no run to resume in ${out} (${RUN_FILES.config} is missing)`);
    const saved = readJson<RunConfig>(configPath, 'run config');
    args = mergeForResume(saved.args, requested);
    const bytes = await readFileIfExists(runPath(out, 'checkpoint'));
    if (!bytes) throw new UsageError(`no checkpoint to resume from in ${out} (${RUN_FILES.checkpoint} is missing)`);
    // Decoding checks the container's integrity now, so a truncated checkpoint fails before training.
    const checkpoint = await decodeCheckpoint(bytes, runPath(out, 'checkpoint'));
    startingCheckpoint = { step: checkpoint.state.step, epoch: checkpoint.state.epoch };
    if (checkpoint.state.epoch >= args.epochs && checkpoint.state.nextBatch === 0) {
      throw new UsageError(
        `the run in ${out} already completed ${checkpoint.state.epoch} epoch(s); pass --epochs N with N > ${checkpoint.state.epoch} to train further`,
      );
    }
  } else {
    args = { ...defaultArgs(), ...requested };
    args.model = resolveModelClass(args.model);
    out = values.out ?? `runs/${args.model.toLowerCase()}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
    if (isNonEmptyFolder(out) && !values.force) {
      throw new UsageError(`${out} already holds a run: pass --resume to continue it, --force to start over, or another --out`);
    }
  }
  const className = resolveModelClass(args.model);
  if (args.hidden && args.conv && args.hidden.length !== 1) {
    throw new UsageError('with --conv, --hidden takes one number: the width of the dense layer');
  }

  // 2. Backend, data and model: every check on the data happens here, still before writing.
  const backend = await selectBackend(values.backend);
  const compile = compileSetting(values.compile, backend);
  const saved = values.resume ? readJson<RunConfig>(runPath(out, 'config'), 'run config') : null;
  const data = loadTrainingData({
    source: args.data,
    likelihood: args.likelihood,
    binarize: args.binarize,
    seed: args.seed,
    image: args.conv,
    heldOutLimit: Math.min(HELD_OUT_LIMIT, args.limit ?? HELD_OUT_LIMIT),
    ...(args.limit !== null ? { limit: args.limit } : {}),
    ...(saved ? { expectedShape: saved.model.inputShape as number[] } : {}),
  });
  const config = saved
    ? saved.model
    : modelConfig({
        className,
        inputShape: data.exampleShape,
        ...(args.latentDim !== null ? { latentDim: args.latentDim } : {}),
        ...(args.hidden ? { hidden: args.hidden } : {}),
        conv: args.conv,
        likelihood: args.likelihood,
        ...(args.beta !== null ? { beta: args.beta } : {}),
        seed: args.seed,
        ...(args.set ? { fields: args.set } : {}),
      });
  const model = buildModel(config);
  try {
    if (!sameShape(model.inputShape, data.exampleShape)) {
      throw new UsageError(
        `the data has examples of shape [${data.exampleShape.join(', ')}], but the ${model.className} expects [${model.inputShape.join(', ')}]`,
      );
    }
    return await trainInto(out, args, model, data, values.resume === true, values.force === true, startingCheckpoint, compile);
  } finally {
    model.dispose();
  }
}

async function trainInto(
  out: string,
  args: RunArgs,
  model: VaeModel,
  data: ReturnType<typeof loadTrainingData>,
  resume: boolean,
  force: boolean,
  startingCheckpoint: { step: number; epoch: number } | null,
  compile: 'auto' | 'xla' | false,
): Promise<number> {
  // 3. Now the run folder is written.
  if (force) removeRunFiles(out);
  await mkdir(out, { recursive: true });
  const runConfig: RunConfig = {
    vaekit: VERSION,
    createdAt: new Date().toISOString(),
    args,
    model: model.getConfig() as RunConfig['model'],
    data: { exampleShape: data.exampleShape, trainExamples: data.train.size, heldOut: data.heldOutName },
  };
  if (resume) {
    const saved = readJson<RunConfig>(runPath(out, 'config'), 'run config');
    await writeJson(runPath(out, 'config'), { ...saved, args });
  } else {
    await writeJson(runPath(out, 'config'), runConfig);
  }

  const progress = new TrainProgress(process.stderr);
  const log = (line: string): void => {
    progress.clear();
    process.stderr.write(`${line}\n`);
  };
  if (startingCheckpoint) log(`resuming ${out} from step ${startingCheckpoint.step} (epoch ${startingCheckpoint.epoch + 1})`);
  log(`training ${model.className} on ${data.train.size} examples of ${args.data}; validating on ${data.heldOutName}`);
  if (compile === false) log('steps: op by op (--compile off)');

  const shape = pictureShape(data.exampleShape);
  if (!shape) log(`note: examples of shape [${data.exampleShape.join(', ')}] are not pictures; no PNG grids will be written`);
  const previous = lastJsonLine<{ elapsedMs?: number }>(runPath(out, 'metrics'));
  const elapsedBefore = resume ? (previous?.elapsedMs ?? 0) : 0;
  const written = new Set<string>([runPath(out, 'config'), runPath(out, 'checkpoint'), runPath(out, 'model'), runPath(out, 'metrics')]);

  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C means: stop now
    log('interrupted: stopping at the next step and writing a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  let result: TrainResult;
  try {
    result = await train(model, data.train, {
      epochs: args.epochs,
      batchSize: args.batchSize,
      optimizer: { type: 'adam', learningRate: args.lr },
      seed: args.seed,
      ...(args.klWarmup > 0 ? { klSchedule: klWarmup(args.klWarmup) } : {}),
      freeBits: args.freeBits,
      validation: data.heldOut,
      validationLimit: data.heldOut.size,
      signal: controller.signal,
      checkpoint: fileCheckpointStore(runPath(out, 'checkpoint')),
      checkpointEverySteps: args.checkpointEvery,
      resume,
      compile,
      onCompile: (event) => log(describeCompile(event)),
      onStep: (event) => progress.step(event),
      onEpochEnd: async (event, trained) => {
        await saveModel(trained, runPath(out, 'model'));
        if (shape) for (const path of await writePictures(out, trained, data.heldOut, shape, args.seed)) written.add(path);
        await appendJsonLine(runPath(out, 'metrics'), metricsLine(event, elapsedBefore));
        log(epochLine(event));
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }

  if (result.status === 'aborted') {
    await saveModel(model, runPath(out, 'model'));
    process.stderr.write(
      `stopped at step ${result.steps}; checkpoint saved to ${runPath(out, 'checkpoint')}\n` +
        `resume with: vaekit train --out ${out} --resume\n`,
    );
    return EXIT_INTERRUPTED;
  }
  await saveModel(model, runPath(out, 'model'));
  printSummary(out, result, data.heldOutName, [...written]);
  return 0;
}

async function writePictures(out: string, model: VaeModel, heldOut: Dataset, shape: PictureShape, seed: number): Promise<string[]> {
  const paths: string[] = [];
  savePicture(runPath(out, 'samples'), await samplesPicture(model, 64, seed + PICTURE_SEED, shape));
  paths.push(runPath(out, 'samples'));
  savePicture(runPath(out, 'reconstructions'), await reconstructionsPicture(model, heldOut, 32, PICTURE_SEED, shape));
  paths.push(runPath(out, 'reconstructions'));
  const interpolation = await interpolationPicture(model, heldOut, 8, 10, PICTURE_SEED, shape);
  if (interpolation) {
    savePicture(runPath(out, 'interpolation'), interpolation);
    paths.push(runPath(out, 'interpolation'));
  }
  return paths;
}

function metricsLine(event: EpochEvent, elapsedBefore: number): Record<string, unknown> {
  return {
    epoch: event.epoch + 1,
    step: event.step,
    train: event.train,
    ...(event.validation ? { validation: event.validation } : {}),
    skippedSteps: event.skippedSteps,
    elapsedMs: Math.round(elapsedBefore + event.elapsedMs),
  };
}

function epochLine(event: EpochEvent): string {
  const validation = event.validation
    ? `  |  held-out ELBO ${formatNumber(event.validation.elbo ?? Number.NaN)} (rec ${formatNumber(event.validation.reconstruction ?? Number.NaN)}, kl ${formatNumber(event.validation.kl ?? Number.NaN)})`
    : '';
  return `epoch ${event.epoch + 1}/${event.epochs} done  step ${event.step}  train ${formatTerms(event.train)}${validation}  (${formatDuration(event.elapsedMs)})`;
}

function printSummary(out: string, result: TrainResult, heldOutName: string, written: string[]): void {
  const last = result.history.at(-1);
  const lines = [`done: ${result.epochsCompleted} epoch(s), ${result.steps} steps${result.resumedFromStep !== null ? ` (resumed from step ${result.resumedFromStep})` : ''}`];
  if (last?.validation) {
    const v = last.validation;
    lines.push(
      `final ELBO on ${heldOutName}: ${formatNumber(v.elbo ?? Number.NaN)} nats (reconstruction ${formatNumber(v.reconstruction ?? Number.NaN)}, KL ${formatNumber(v.kl ?? Number.NaN)})`,
    );
  }
  lines.push('wrote:', ...written.filter((path) => existsSync(path)).map((path) => `  ${path}`));
  lines.push(`continue with: vaekit train --out ${out} --resume --epochs ${result.epochsCompleted + 10}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function defaultArgs(): RunArgs {
  return {
    model: 'VAE',
    data: 'mnist',
    epochs: 10,
    batchSize: 128,
    lr: 1e-3,
    latentDim: null,
    hidden: null,
    conv: false,
    likelihood: 'bernoulli',
    binarize: 'dynamic',
    klWarmup: 0,
    freeBits: 0,
    beta: null,
    seed: 0,
    limit: null,
    checkpointEvery: 0,
  };
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** The settings the user spelled out on this command line, checked and normalized (nothing defaulted). */
function requestedArgs(values: Values): Partial<RunArgs> {
  const r: Partial<RunArgs> = {};
  const set = <K extends keyof RunArgs>(key: K, value: RunArgs[K] | undefined): void => {
    if (value !== undefined) r[key] = value;
  };
  set('model', values.model);
  if (values.data !== undefined) r.data = isMnist(values.data) ? 'mnist' : resolve(values.data);
  set('epochs', numberFlag('epochs', values.epochs, { integer: true, min: 1 }));
  set('batchSize', numberFlag('batch-size', values['batch-size'], { integer: true, min: 1 }));
  set('lr', numberFlag('lr', values.lr, { exclusiveMin: 0 }));
  set('latentDim', numberFlag('latent-dim', values['latent-dim'], { integer: true, min: 1 }));
  set('hidden', intListFlag('hidden', values.hidden));
  set('conv', values.conv);
  set('likelihood', choiceFlag('likelihood', values.likelihood, ['bernoulli', 'gaussian'] as const));
  set('klWarmup', numberFlag('kl-warmup', values['kl-warmup'], { integer: true, min: 0 }));
  set('freeBits', numberFlag('free-bits', values['free-bits'], { min: 0 }));
  set('beta', numberFlag('beta', values.beta, { min: 0 }));
  set('seed', numberFlag('seed', values.seed, { integer: true, min: 0 }));
  set('limit', numberFlag('limit', values.limit, { integer: true, min: 1 }));
  set('checkpointEvery', numberFlag('checkpoint-every', values['checkpoint-every'], { integer: true, min: 0 }));
  set('set', configOverrides(values.set));
  // The binarization default depends on the data and likelihood, so it is settled once those are known.
  const source = r.data ?? 'mnist';
  const likelihood = r.likelihood ?? 'bernoulli';
  if (values.binarize !== undefined || !values.resume) r.binarize = resolveBinarization(values.binarize, source, likelihood);
  return r;
}

/** Saved settings win; a flag given again must agree with them unless it is one a resume may change. */
function mergeForResume(saved: RunArgs, requested: Partial<RunArgs>): RunArgs {
  const conflicts: string[] = [];
  for (const key of Object.keys(requested) as (keyof RunArgs)[]) {
    if (CHANGEABLE_ON_RESUME.has(key)) continue;
    if (key === 'model' && String(requested.model).toLowerCase() === String(saved.model).toLowerCase()) continue;
    if (JSON.stringify(requested[key]) !== JSON.stringify(saved[key])) {
      conflicts.push(`${FLAG_OF[key]} ${show(requested[key])} (the run has ${show(saved[key])})`);
    }
  }
  if (conflicts.length) {
    throw new UsageError(
      `cannot resume with different settings: ${conflicts.join('; ')}. Drop those flags to resume with the saved ` +
        'settings, or start a new run with another --out',
    );
  }
  return { ...saved, ...pick(requested, CHANGEABLE_ON_RESUME) };
}

function pick(values: Partial<RunArgs>, keys: ReadonlySet<keyof RunArgs>): Partial<RunArgs> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.has(key as keyof RunArgs))) as Partial<RunArgs>;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'unset';
  return Array.isArray(value) ? value.join(',') : String(value);
}
