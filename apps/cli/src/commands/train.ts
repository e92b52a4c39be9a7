import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  decodeCheckpoint,
  klWarmup,
  train,
  type CheckpointStore,
  type Dataset,
  type EpochEvent,
  type TrainResult,
  type VaeModel,
} from '@vaekit/core';
import { fileCheckpointStore, readFileIfExists, saveModel } from '@vaekit/core/node';
import type { Binarization } from '@vaekit/data';
import { BACKEND_OPTION, choiceFlag, COMMON_OPTIONS, configOverrides, intListFlag, numberFlag, parse } from '../args.js';
import { selectBackend } from '../backend.js';
import { COMPILE_OPTION, COMPILE_USAGE, compileSetting, describeCompile } from '../compile-flag.js';
import type { Command } from '../command.js';
import { isMnist, loadTrainingData, resolveBinarization, sameShape, type LikelihoodKind } from '../data-source.js';
import { describeFsError, EXIT_STOPPED, isFsError, RunError, UsageError } from '../errors.js';
import { formatDuration, formatNumber, formatTerms } from '../format.js';
import { buildModel, describeModels, modelConfig, resolveModelClass } from '../models.js';
import { interpolationPicture, pictureShape, reconstructionsPicture, samplesPicture, savePicture, type PictureShape } from '../pictures.js';
import { TrainProgress } from '../progress.js';
import {
  checkOutFolder,
  inspectRunFolder,
  makeRunFolder,
  readJson,
  readTiming,
  removeRunFiles,
  removeTornWrites,
  RUN_FILES,
  runPath,
  writeJson,
  writeMetrics,
  writeTiming,
  type FolderState,
} from '../run-folder.js';
import { acquireRunLock, type RunLock } from '../run-lock.js';
import { handleStopSignals, type StopRequests, type StopSignal } from '../stop-signals.js';
import { VERSION } from '../version.js';

/** What decodeCheckpoint returns: the checkpoint a resume continues from. */
type DecodedCheckpoint = Awaited<ReturnType<typeof decodeCheckpoint>>;

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

Trains a model and writes checkpoint.vaekit, model.vaekit, config.json, metrics.jsonl, timing.jsonl
and samples/reconstructions/interpolation PNGs into --out.

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
                          (a finished run: rewrite its model, metrics and pictures from the checkpoint)
  --force                 start over in an existing --out (its run files are replaced); a run
                          that stopped before its first checkpoint starts over without it
  --checkpoint-every N    also checkpoint every N steps (default: each epoch end only)
  --set KEY=VALUE         set one field of the model's config, repeatable; VALUE is JSON or a word,
                          e.g. --set latentDims=[64,32] (LadderVAE), --set flowSteps=4 (flows),
                          --set codebookSize=128 (VQVAE); fields are listed in the package docs
  --backend B             auto (default), native, wasm or cpu
${COMPILE_USAGE}
  --debug                 print stack traces for every error
  -h, --help              this help

Ctrl-C (SIGINT) or SIGTERM stops at the next step, writes a checkpoint and exits with 130 or 143;
a second signal stops at once without a new checkpoint and exits with 3. While it runs, --out is
locked (vaekit.lock): a second train on the same folder is refused.`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model; checkpoints, metrics and picture grids go into --out',
  get usage() {
    return `${USAGE}\n\nmodels:\n${describeModels()}`;
  },
  run,
};

/** Where the command is, for what a stop request does and what a second one says. */
type Phase = 'setup' | 'training';

/** The state a train command shares with its signal handlers and error messages. */
interface Session {
  out: string;
  phase: Phase;
  /** The step of the newest checkpoint known to be complete on disk, or null when there is none. */
  savedStep: number | null;
  /** A checkpoint write is under way (a second signal would cut it short). */
  saving: boolean;
  /** The step the model has reached. */
  step: number;
  lock: RunLock | null;
}

async function run(argv: readonly string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  const requested = requestedArgs(values);
  if (values.resume && values.force) throw new UsageError('--resume and --force contradict each other: pick one');
  if (values.resume && values.out === undefined) throw new UsageError('--resume needs --out, the run folder to continue');
  const fresh: RunArgs | null = values.resume ? null : { ...defaultArgs(), ...requested, model: resolveModelClass(requested.model ?? 'VAE') };
  const out = values.out ?? `runs/${fresh!.model.toLowerCase()}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
  checkOutFolder(out);

  const session: Session = { out, phase: 'setup', savedStep: null, saving: false, step: 0, lock: null };
  const stop = handleStopSignals({
    first: (signal) =>
      session.phase === 'setup'
        ? `${signalName(signal)}: stopping before training starts (${again(signal)} to stop at once)`
        : `${signalName(signal)}: stopping at the next step and writing a checkpoint (${again(signal)} to stop at once, without one)`,
    second: (signal) => `second ${signalName(signal)}: stopping now without a checkpoint; ${secondSignalOutcome(session)}`,
    write: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    return await runLocked(values, requested, fresh, session, stop);
  } finally {
    stop.dispose();
    session.lock?.release();
  }
}

function signalName(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'SIGTERM';
}

function again(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'Ctrl-C again' : 'send it again';
}

/** What the folder holds after a second signal, truthfully: never a checkpoint that is not there. */
function secondSignalOutcome(session: Session): string {
  const resume = `resume with: vaekit train --out ${session.out} --resume`;
  if (session.phase === 'setup') return 'nothing was written';
  if (session.saving) {
    return session.savedStep === null
      ? `the first checkpoint was being written and may not be complete (if ${RUN_FILES.checkpoint} is missing, rerun the same command to start over)`
      : `a checkpoint write was cut short; the last complete one (step ${session.savedStep} or newer) is kept; ${resume}`;
  }
  return session.savedStep === null
    ? 'none was written yet, so there is nothing to resume: rerun the same command to start over'
    : `the last checkpoint (step ${session.savedStep}) is kept; ${resume}`;
}

async function runLocked(
  values: Values,
  requested: Partial<RunArgs>,
  fresh: RunArgs | null,
  session: Session,
  stop: StopRequests,
): Promise<number> {
  const { out } = session;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const lock = async (): Promise<void> => {
    session.lock = await acquireRunLock(out);
    for (const note of session.lock.notes) log(note);
  };

  // 1. Decide the run's settings and check its folder, all before anything is written. A folder that
  // exists is locked first, so what is read from it cannot change under us.
  if (existsSync(out)) await lock();
  let args: RunArgs;
  let resumeFrom: DecodedCheckpoint | null = null;
  let saved: RunConfig | null = null;
  let restart: FolderState | null = null;
  if (values.resume) {
    saved = readRunConfigForResume(out);
    args = mergeForResume(saved.args, requested);
    resumeFrom = await readCheckpointForResume(out, args, requested.epochs);
    session.savedStep = resumeFrom.state.step;
    session.step = resumeFrom.state.step;
  } else {
    args = fresh!;
    restart = planFreshStart(out, values.force === true);
  }
  const className = resolveModelClass(args.model);
  if (args.hidden && args.conv && args.hidden.length !== 1) {
    throw new UsageError('with --conv, --hidden takes one number: the width of the dense layer');
  }

  // 2. Backend, data and model: every check on the data happens here, still before writing.
  const backend = await selectBackend(values.backend);
  const compile = compileSetting(values.compile, backend);
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
    if (stop.received) return stoppedBeforeTraining();
    // 3. A new folder is created and locked only now, so bad input leaves nothing behind; what it
    // holds is checked again under the lock, since another run may have started there meanwhile.
    if (!session.lock) {
      makeRunFolder(out);
      await lock();
      restart = planFreshStart(out, values.force === true);
    }
    return await trainInto(session, stop, args, saved, model, data, resumeFrom, restart, compile);
  } finally {
    model.dispose();
  }
}

/**
 * A plain `train` (or `--force`) into `out`: refuses a folder holding a run to resume or someone else's
 * files (unless --force), and returns the state to clear when the folder holds a run that stopped
 * before its first checkpoint, which a plain rerun starts over.
 */
function planFreshStart(out: string, force: boolean): FolderState {
  const state = inspectRunFolder(out);
  if (force) return state;
  if (state.kind === 'run') {
    throw new UsageError(`${out} already holds a run: pass --resume to continue it, --force to start over, or another --out`);
  }
  if (state.kind === 'foreign') {
    throw new UsageError(
      `${out} already holds files that are not a vaekit run (${state.files.slice(0, 3).join(', ')}${state.files.length > 3 ? ', ...' : ''}): ` +
        'use another --out, or --force to train into it anyway (only vaekit\'s own files are replaced)',
    );
  }
  return state;
}

/** config.json of the run to resume, checked to hold what a resume needs. */
function readRunConfigForResume(out: string): RunConfig {
  if (!existsSync(out)) throw new UsageError(`no run to resume in ${out}: the folder does not exist`);
  const path = runPath(out, 'config');
  if (!existsSync(path)) {
    throw new RunError(
      existsSync(runPath(out, 'checkpoint'))
        ? `cannot resume ${out}: ${RUN_FILES.config} (the run's settings) is missing; restore it, or start over with --force`
        : `no run to resume in ${out} (${RUN_FILES.config} is missing)`,
    );
  }
  const saved = readJson<unknown>(path, 'the run config');
  const problem = runConfigProblem(saved);
  if (problem) {
    throw new RunError(`cannot resume ${out}: ${path} is damaged (${problem}); restore it, or start over with --force or another --out`);
  }
  return saved as RunConfig;
}

/** Why a parsed config.json cannot be a run's, or null when it has every setting a resume reads. */
function runConfigProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const { args, model } = value as { args?: unknown; model?: unknown };
  if (typeof args !== 'object' || args === null) return "it has no 'args' (the run's settings)";
  if (typeof model !== 'object' || model === null) return "it has no 'model' (the model's config)";
  const m = model as Record<string, unknown>;
  if (typeof m['className'] !== 'string' || !Array.isArray(m['inputShape'])) return "'model' lacks className or inputShape";
  const a = args as Record<string, unknown>;
  for (const [key, fallback] of Object.entries(defaultArgs())) {
    const value = a[key];
    const ok = fallback === null ? value === null || typeof value === 'number' || Array.isArray(value) : typeof value === typeof fallback;
    if (!ok) return `'args.${key}' is ${value === undefined ? 'missing' : `${JSON.stringify(value)}`}`;
  }
  return null;
}

/**
 * The checkpoint to resume from, decoded (so a damaged one fails now). A checkpoint at the end of the
 * run's last epoch is still resumable: a kill after that checkpoint but before the epoch's model,
 * pictures and metrics line were written left them behind, and the resume completes them (see
 * finishFromCheckpoint). Only asking for fewer epochs than were trained is refused.
 */
async function readCheckpointForResume(out: string, args: RunArgs, requestedEpochs: number | undefined): Promise<DecodedCheckpoint> {
  const path = runPath(out, 'checkpoint');
  const bytes = await readFileIfExists(path);
  if (!bytes) {
    throw new RunError(
      `${out} holds a run that stopped before its first checkpoint, so there is nothing to resume: rerun without --resume to start it over`,
    );
  }
  const checkpoint = await decodeCheckpoint(bytes, path);
  const done = checkpoint.state.epoch;
  if (requestedEpochs !== undefined && requestedEpochs < done) {
    throw new UsageError(`the run in ${out} already completed ${done} epoch(s); pass --epochs N with N > ${done} to train further`);
  }
  return checkpoint;
}

/** The checkpoint ends the run: every epoch asked for is trained, and no batch of another is pending. */
function isFinished(checkpoint: DecodedCheckpoint, args: RunArgs): boolean {
  return checkpoint.state.epoch >= args.epochs && checkpoint.state.nextBatch === 0;
}

async function trainInto(
  session: Session,
  stop: StopRequests,
  args: RunArgs,
  saved: RunConfig | null,
  model: VaeModel,
  data: ReturnType<typeof loadTrainingData>,
  resumeFrom: DecodedCheckpoint | null,
  restart: FolderState | null,
  compile: 'auto' | 'xla' | false,
): Promise<number> {
  const { out } = session;
  const progress = new TrainProgress(process.stderr);
  const log = (line: string): void => {
    progress.clear();
    process.stderr.write(`${line}\n`);
  };

  // 4. Now the run folder is written, under the lock. The check and the phase change happen in one turn
  // of the event loop, so a signal is either seen here or handled as a stop request during training.
  if (stop.received) return stoppedBeforeTraining();
  session.phase = 'training';
  try {
    const torn = await removeTornWrites(out);
    if (torn.length > 0) log(`note: removed ${torn.length} temporary file(s) left in ${out} by an interrupted write`);
    if (restart && restart.kind !== 'missing' && restart.kind !== 'empty') {
      if (restart.kind === 'unfinished') log(`note: ${out} holds a run that stopped before its first checkpoint; starting it over`);
      removeRunFiles(out);
    }
    // metrics.jsonl is a function of the checkpoint's history: drop lines of epochs the checkpoint does
    // not hold, add the ones it holds but a kill kept from being written, so no epoch is listed twice.
    let history: EpochEvent[] = resumeFrom ? [...resumeFrom.state.history] : [];
    let timing = readTiming(out, history.length);
    const rewriteFromCheckpoint = async (): Promise<void> => {
      await writeJson(runPath(out, 'config'), { ...saved, args });
      await writeMetrics(out, history);
      await writeTiming(out, timing);
    };
    // A resume writes nothing until the trainer has accepted the checkpoint (same settings, same data):
    // a refused resume leaves the folder as it was. Its first checkpoint save is the moment.
    let prepared = resumeFrom === null;
    const prepare = async (): Promise<void> => {
      if (prepared) return;
      prepared = true;
      await rewriteFromCheckpoint();
    };
    if (!saved) {
      const runConfig: RunConfig = {
        vaekit: VERSION,
        createdAt: new Date().toISOString(),
        args,
        model: model.getConfig() as RunConfig['model'],
        data: { exampleShape: data.exampleShape, trainExamples: data.train.size, heldOut: data.heldOutName },
      };
      await writeJson(runPath(out, 'config'), runConfig);
    }

    if (resumeFrom && isFinished(resumeFrom, args)) {
      await rewriteFromCheckpoint();
      return await finishFromCheckpoint(session, resumeFrom, model, data, args.seed, history);
    }
    if (resumeFrom) log(`resuming ${out} from step ${resumeFrom.state.step} (epoch ${resumeFrom.state.epoch + 1})`);
    log(`training ${model.className} on ${data.train.size} examples of ${args.data}; validating on ${data.heldOutName}`);
    if (compile === false) log('steps: op by op (--compile off)');
    const shape = pictureShape(data.exampleShape);
    if (!shape) log(`note: examples of shape [${data.exampleShape.join(', ')}] are not pictures; no PNG grids will be written`);
    const written = new Set<string>(['config', 'checkpoint', 'model', 'metrics', 'timing'].map((f) => runPath(out, f as keyof typeof RUN_FILES)));

    const store = fileCheckpointStore(runPath(out, 'checkpoint'));
    // Knows which step the newest complete checkpoint holds, so no message ever claims one that is not there.
    const trackedStore: CheckpointStore = {
      location: store.location,
      load: () => store.load(),
      async save(bytes) {
        await prepare();
        session.saving = true;
        try {
          await store.save(bytes);
          session.savedStep = session.step;
        } finally {
          session.saving = false;
        }
      },
    };

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
        signal: stop.signal,
        checkpoint: trackedStore,
        checkpointEverySteps: args.checkpointEvery,
        resume: resumeFrom !== null,
        compile,
        onCompile: (event) => log(describeCompile(event)),
        // Why the continuation may not repeat the uninterrupted run bit for bit (an older checkpoint, another backend).
        onResume: (event) => event.notes.forEach((note) => log(`note: ${note}`)),
        onStep: (event) => {
          session.step = event.step;
          progress.step(event);
        },
        // `full`: the trainer's own history (the checkpoint's), where the trainer passes it; else ours.
        onEpochEnd: async (event, trained, full?: readonly EpochEvent[]) => {
          await prepare();
          await saveModel(trained, runPath(out, 'model'));
          if (shape) for (const path of await writePictures(out, trained, data.heldOut, shape, args.seed)) written.add(path);
          history = full ? [...full] : [...history.slice(0, event.epoch), event];
          await writeMetrics(out, history);
          timing = [
            ...timing.slice(0, event.epoch),
            { epoch: event.epoch + 1, step: event.step, elapsedMs: Math.round(event.elapsedMs), finishedAt: new Date().toISOString() },
          ];
          await writeTiming(out, timing);
          log(epochLine(event));
        },
      });
    } finally {
      progress.clear();
    }

    if (result.status === 'aborted') {
      await saveModel(model, runPath(out, 'model'));
      if (session.savedStep === null) throw new Error('training stopped without writing a checkpoint'); // the trainer always saves on abort
      process.stderr.write(
        `stopped at step ${result.steps}; checkpoint (step ${session.savedStep}) saved to ${runPath(out, 'checkpoint')}; ` +
          `resume with: vaekit train --out ${out} --resume\n`,
      );
      return stop.exitCodeWithCheckpoint();
    }
    await saveModel(model, runPath(out, 'model'));
    printSummary(out, result, data.heldOutName, [...written]);
    if (stop.received) log('note: the run had finished when the stop request came; every file is written');
    return 0;
  } catch (error) {
    throw withCheckpointHint(error, session);
  }
}

/**
 * `--resume` of a run whose checkpoint already ends it: nothing is left to train, but the files written
 * after the final checkpoint (model.vaekit, the pictures; metrics.jsonl was just rewritten) may be missing
 * or an epoch old if the run was killed in between. Rebuilt from the checkpoint's weights, they equal what
 * the uninterrupted run wrote, so the folder ends as if nothing had happened.
 */
async function finishFromCheckpoint(
  session: Session,
  checkpoint: DecodedCheckpoint,
  model: VaeModel,
  data: ReturnType<typeof loadTrainingData>,
  seed: number,
  history: readonly EpochEvent[],
): Promise<number> {
  const { out } = session;
  await checkpoint.restoreModel(model);
  await saveModel(model, runPath(out, 'model'));
  const written = [runPath(out, 'config'), runPath(out, 'checkpoint'), runPath(out, 'model'), runPath(out, 'metrics'), runPath(out, 'timing')];
  const shape = pictureShape(data.exampleShape);
  if (shape) written.push(...(await writePictures(out, model, data.heldOut, shape, seed)));
  const { epoch, step } = checkpoint.state;
  printSummary(
    out,
    { status: 'completed', epochsCompleted: epoch, steps: step, history, resumedFromStep: step },
    data.heldOutName,
    written,
    `nothing left to train: the run completed ${epoch} epoch(s), ${step} steps; its files now match the checkpoint`,
  );
  return 0;
}

/** A stop request that came before anything was written: nothing to checkpoint, so EXIT_STOPPED. */
function stoppedBeforeTraining(): number {
  process.stderr.write('stopped before training started; nothing was written\n');
  return EXIT_STOPPED;
}

/**
 * A file-system error while training (disk full, read-only, folder removed) becomes one line naming the
 * file, the cause and the fix, plus what is left to resume from: the last complete checkpoint, if any.
 */
function withCheckpointHint(error: unknown, session: Session): unknown {
  if (!isFsError(error)) return error;
  const left =
    session.savedStep === null
      ? 'no checkpoint was written, so rerun the same command once that is fixed'
      : `the last checkpoint (step ${session.savedStep}) is intact: resume with vaekit train --out ${session.out} --resume once that is fixed`;
  return new RunError(`${describeFsError(error, `a file in ${session.out}`)}; ${left}`);
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

function epochLine(event: EpochEvent): string {
  const validation = event.validation
    ? `  |  held-out ELBO ${formatNumber(event.validation.elbo ?? Number.NaN)} (rec ${formatNumber(event.validation.reconstruction ?? Number.NaN)}, kl ${formatNumber(event.validation.kl ?? Number.NaN)})`
    : '';
  return `epoch ${event.epoch + 1}/${event.epochs} done  step ${event.step}  train ${formatTerms(event.train)}${validation}  (${formatDuration(event.elapsedMs)})`;
}

function printSummary(out: string, result: TrainResult, heldOutName: string, written: string[], headline?: string): void {
  const last = result.history.at(-1);
  const lines = [
    headline ??
      `done: ${result.epochsCompleted} epoch(s), ${result.steps} steps${result.resumedFromStep !== null ? ` (resumed from step ${result.resumedFromStep})` : ''}`,
  ];
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
