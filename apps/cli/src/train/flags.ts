import { resolve } from 'node:path';
import { listLikelihoods } from '@vaekit/core';
import { BACKEND_OPTION, choiceFlag, COMMON_OPTIONS, configOverrides, intListFlag, numberFlag, parse } from '../args.js';
import { COMPILE_OPTION, COMPILE_USAGE } from '../compile-flag.js';
import { isMnist, resolveBinarization } from '../data-source.js';
import { UsageError } from '../errors.js';
import { describeLikelihoods } from '../models.js';
import { scaleFlag } from '../pictures.js';
import { clusterTimeoutFlags, type ClusterTimeouts } from './cluster-flags.js';
import { checkControlArgs, type RunArgs } from './run-args.js';
import { tensorBoardFlag } from './tensorboard.js';
import { CONTROL_OPTIONS, CONTROL_USAGE, earlyStopFlags, lrScheduleFlag } from './controls.js';

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
  channels: { type: 'string' },
  scale: { type: 'string' },
  tensorboard: { type: 'string' },
  distributed: { type: 'boolean' },
  'heartbeat-timeout': { type: 'string' },
  'start-timeout': { type: 'string' },
  ...CONTROL_OPTIONS,
} as const;


export const TRAIN_USAGE = `usage: vaekit train [options]

Trains a model and writes checkpoint.vaekit, model.vaekit, config.json, metrics.jsonl, timing.jsonl
and samples/reconstructions/interpolation PNGs into --out.

options:
  --model NAME            registered model class (default VAE; case-insensitive)
  --data SOURCE           mnist (default), a .npy or .csv file, or a folder of PNGs
  --epochs N              epochs to train (default 10; on --resume, the new total)
  --batch-size N          examples per step (default 128)
  --lr X                  Adam learning rate (default 1e-3); may change on --resume
${CONTROL_USAGE}
  --latent-dim N          latent dimensions (default: the model's, 32 for VAE)
  --hidden A,B            MLP hidden layer widths (default: the model's, 512,512 for VAE);
                          with --conv, one number: the dense layer's width (default 256)
  --conv                  convolutional encoder/decoder (image data, e.g. 28x28)
  --likelihood L          p(x | z): bernoulli (default) or another registered likelihood, below;
                          set its fields with --set likelihood.FIELD=VALUE,
                          e.g. --likelihood gaussian --set likelihood.variance=learned-per-pixel
  --binarize B            dynamic, static or none (default dynamic for mnist with bernoulli, else none;
                          only a bernoulli likelihood needs binary data)
  --channels C            values per pixel of PNG data: 1 (grey, default), 3 (RGB) or 4 (RGBA)
  --kl-warmup STEPS       ramp the KL weight from 0 to 1 over STEPS steps (default 0: off)
  --free-bits NATS        free-bits floor per latent dimension (default 0: off)
  --beta B                weight on the KL term (default: the model's, 1 for VAE)
  --seed N                seed for weights, shuffling, binarization and noise (default 0)
  --limit N               train on the first N training examples only
                          (a user's file: a tenth of its rows, drawn from --seed, is held out
                          for validation and pictures; config.json records which)
  --scale N               screen pixels per image pixel in the pictures (default auto: grids at
                          least 400 pixels wide); may change on --resume
  --out DIR               run folder (default runs/<model>-<date>)
  --resume                continue the run in --out from its checkpoint, with its saved settings
                          (a finished run: rewrite its model, metrics and pictures from the checkpoint)
  --force                 start over in an existing --out (its run files are replaced); a run
                          that stopped before its first checkpoint starts over without it
  --checkpoint-every N    also checkpoint every N steps (default: each epoch end only)
  --tensorboard DIR       also write TensorBoard event files into DIR: loss terms, KL weight and
                          gradient norm per step, epoch means, the KL per latent dimension as a
                          histogram and sample grids per epoch; view them with
                          tensorboard --logdir DIR --host 127.0.0.1 (default: off)
  --set KEY=VALUE         set one field of the model's config, repeatable; VALUE is JSON or a word,
                          e.g. --set latentDims=[64,32] (LadderVae), --set flowSteps=4 (flows),
                          --set codebookSize=128 (VqVae); fields are listed in the package docs
  --backend B             auto (default), native, wasm or cpu
${COMPILE_USAGE}
  --distributed           one worker of a data-parallel run described by TF_CONFIG (native backend;
                          --batch-size is the global batch, a multiple of the worker count); the
                          chief alone writes --out; try it with vaekit launch --workers N -- train ...
  --heartbeat-timeout S   with --distributed: a worker silent for S seconds (dead, hung or cut off)
                          counts as lost and every other worker fails with an error naming it
                          (default 10; too short, and a worker busy in a long step is taken for lost)
  --start-timeout S       with --distributed: how long each worker waits for all the others to join
                          before failing with an error naming the missing ones (default 60)
  --debug                 print stack traces for every error
  -h, --help              this help

Ctrl-C (SIGINT) or SIGTERM stops at the next step, writes a checkpoint and exits with 130 or 143;
a second signal stops at once without a new checkpoint and exits with 3. While it runs, --out is
locked (vaekit.lock): a second train on the same folder is refused.

likelihoods (--likelihood; fields and defaults in @vaekit/core's README):
${describeLikelihoods()}`;

/** The train command line, checked: what the run asks for, and how it treats its folder. */
export interface TrainFlags {
  /** The settings spelled out on this command line, checked and normalized (nothing defaulted). */
  requested: Partial<RunArgs>;
  out: string | undefined;
  resume: boolean;
  force: boolean;
  backend: string;
  compile: string | undefined;
  /** Folder for TensorBoard event files (--tensorboard), resolved; absent when not asked for. */
  tensorboard: string | undefined;
  /** One worker of a data-parallel run whose cluster TF_CONFIG describes (--distributed). */
  distributed: boolean;
  /** How long this worker waits on its peers: --heartbeat-timeout and --start-timeout. */
  clusterTimeouts: ClusterTimeouts;
}

/** Parses and checks every flag; contradictions between flags are usage errors here, before any work. */
export function parseTrainFlags(argv: readonly string[]): TrainFlags {
  const { values } = parse(argv, OPTIONS);
  const resume = values.resume === true;
  const force = values.force === true;
  const requested = requestedArgs(values, resume);
  if (!resume) checkControlArgs(requested);
  if (resume && force) throw new UsageError('--resume and --force contradict each other: pick one');
  if (resume && values.out === undefined) throw new UsageError('--resume needs --out, the run folder to continue');
  const tensorboard = tensorBoardFlag(values.tensorboard);
  const distributed = values.distributed === true;
  const clusterTimeouts = clusterTimeoutFlags({ heartbeat: values['heartbeat-timeout'], start: values['start-timeout'] }, distributed);
  return { requested, out: values.out, resume, force, backend: values.backend, compile: values.compile, tensorboard, distributed, clusterTimeouts };
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** A registered likelihood type, matched case-insensitively. */
function likelihoodFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const types = listLikelihoods().map((entry) => entry.type);
  const match = types.find((type) => type === value.toLowerCase());
  if (!match) throw new UsageError(`unknown --likelihood '${value}': use ${types.join(', ')}`);
  return match;
}

function requestedArgs(values: Values, resume: boolean): Partial<RunArgs> {
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
  set('likelihood', likelihoodFlag(values.likelihood));
  set('klWarmup', numberFlag('kl-warmup', values['kl-warmup'], { integer: true, min: 0 }));
  set('freeBits', numberFlag('free-bits', values['free-bits'], { min: 0 }));
  set('beta', numberFlag('beta', values.beta, { min: 0 }));
  set('seed', numberFlag('seed', values.seed, { integer: true, min: 0 }));
  set('limit', numberFlag('limit', values.limit, { integer: true, min: 1 }));
  set('checkpointEvery', numberFlag('checkpoint-every', values['checkpoint-every'], { integer: true, min: 0 }));
  set('lrSchedule', lrScheduleFlag(values['lr-schedule']));
  set('clipGradNorm', numberFlag('clip-grad-norm', values['clip-grad-norm'], { exclusiveMin: 0 }));
  set('earlyStop', earlyStopFlags(values));
  if (values['restore-best']) r.restoreBest = true;
  set('set', configOverrides(values.set));
  set('channels', choiceFlag('channels', values.channels, ['1', '3', '4'] as const) === undefined ? undefined : (Number(values.channels) as 1 | 3 | 4));
  const scale = scaleFlag(values.scale);
  if (scale !== 'auto') r.scale = scale;
  // The binarization default depends on the data and likelihood, so it is settled once those are known.
  const source = r.data ?? 'mnist';
  const likelihood = r.likelihood ?? 'bernoulli';
  if (values.binarize !== undefined || !resume) r.binarize = resolveBinarization(values.binarize, source, likelihood);
  return r;
}
