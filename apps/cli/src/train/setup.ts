import { existsSync } from 'node:fs';
import type { VaeModel } from '@vaekit/core';
import type { BackendInfo } from '@vaekit/backends';
import { selectBackend } from '../backend.js';
import { compileSetting } from '../compile-flag.js';
import { loadTrainingData, sameShape, type TrainingData } from '../data-source.js';
import { UsageError } from '../errors.js';
import { isSplitRecord, type SplitRecord } from '../held-out-rows.js';
import { buildModelFromFlags, modelConfig } from '../model-config.js';
import { buildModel, resolveModelClass } from '../models.js';
import type { FolderState } from '../run-folder.js';
import { acquireRunLock } from '../run-lock.js';
import type { ClusterPlan } from './cluster.js';
import type { TrainFlags } from './flags.js';
import { planFreshStart } from './fresh-start.js';
import { readResumePoint, type ResumePoint } from './resume.js';
import { mergeForResume, type RunArgs } from './run-args.js';
import { readRunConfig, type RunConfig } from './run-config.js';
import type { TrainSession } from './session.js';

/** Held-out examples evaluated after each epoch: enough for a steady ELBO, few enough to stay quick. */
const HELD_OUT_LIMIT = 2000;

/** A run's settings, decided before anything is written. */
export interface RunPlan {
  args: RunArgs;
  /** The resumed run's config.json; null for a fresh run. */
  saved: RunConfig | null;
  resumeFrom: ResumePoint | null;
  /** What a fresh start found in the folder (null on a resume). */
  restart: FolderState | null;
  /** Where TensorBoard event files go (--tensorboard); absent: none are written. */
  tensorboard?: string;
}

/** Takes the run folder's lock and prints what taking it found (a stale lock taken over). */
export async function lockRunFolder(session: TrainSession): Promise<void> {
  session.lock = await acquireRunLock(session.out);
  for (const note of session.lock.notes) process.stderr.write(`${note}\n`);
}

/**
 * Decides the run's settings and checks its folder, all before anything is written. A folder that
 * exists is locked first, so what is read from it cannot change under us.
 */
export async function planRun(flags: TrainFlags, fresh: RunArgs | null, session: TrainSession): Promise<RunPlan> {
  const { out } = session;
  if (existsSync(out)) await lockRunFolder(session);
  let plan: RunPlan;
  if (fresh === null) {
    const saved = readRunConfig(out);
    const args = mergeForResume(saved.args, flags.requested);
    const resumeFrom = await readResumePoint(out, args.epochs);
    session.savedStep = resumeFrom.checkpoint.state.step;
    session.step = resumeFrom.checkpoint.state.step;
    plan = { args, saved: { ...saved, args }, resumeFrom, restart: null };
  } else {
    plan = { args: fresh, saved: null, resumeFrom: null, restart: planFreshStart(out, flags.force) };
  }
  if (flags.tensorboard !== undefined) plan.tensorboard = flags.tensorboard;
  resolveModelClass(plan.args.model);
  if (plan.args.hidden && plan.args.conv && plan.args.hidden.length !== 1) {
    throw new UsageError('with --conv, --hidden takes one number: the width of the dense layer');
  }
  return plan;
}

/** What training runs on: the backend, the compile setting, the data and the model (owned by the caller). */
export interface TrainInputs {
  backend: BackendInfo;
  compile: 'auto' | 'xla' | false;
  data: TrainingData;
  model: VaeModel;
  /** The cluster of a distributed run (--distributed), joined just before training. */
  cluster?: ClusterPlan;
}

/** Backend, data and model: every check on the data happens here, still before writing. */
export async function loadInputs(flags: TrainFlags, plan: RunPlan): Promise<TrainInputs> {
  const { args, saved } = plan;
  const backend = await selectBackend(flags.backend);
  const compile = compileSetting(flags.compile, backend);
  const data = loadTrainingData({
    source: args.data,
    likelihood: args.likelihood,
    binarize: args.binarize,
    seed: args.seed,
    image: args.conv || setsConvArchitecture(args.set),
    heldOutLimit: Math.min(HELD_OUT_LIMIT, args.limit ?? HELD_OUT_LIMIT),
    ...(args.limit !== null ? { limit: args.limit } : {}),
    ...(saved ? { expectedShape: saved.model.inputShape, split: savedSplit(saved) } : {}),
    ...(args.channels !== undefined ? { channels: args.channels } : {}),
  });
  const model = saved
    ? buildModel(saved.model)
    : buildModelFromFlags(
        modelConfig({
          className: resolveModelClass(args.model),
          inputShape: data.exampleShape,
          ...(args.latentDim !== null ? { latentDim: args.latentDim } : {}),
          ...(args.hidden ? { hidden: args.hidden } : {}),
          conv: args.conv,
          likelihood: args.likelihood,
          ...(args.beta !== null ? { beta: args.beta } : {}),
          seed: args.seed,
          ...(args.set ? { fields: args.set } : {}),
        }),
      );
  if (!sameShape(model.inputShape, data.exampleShape)) {
    model.dispose();
    throw new UsageError(
      `the data has examples of shape [${data.exampleShape.join(', ')}], but the ${model.className} expects [${model.inputShape.join(', ')}]`,
    );
  }
  return { backend, compile, data, model };
}

/** The rows a resumed run held out: its record, or the last tenth for a run saved before runs recorded it. */
function savedSplit(saved: RunConfig): SplitRecord | 'tail' {
  const split: unknown = saved.data?.split;
  return isSplitRecord(split) ? split : 'tail';
}

/** `--set architecture={"type":"conv",…}` asks for image-shaped inputs as `--conv` does. */
function setsConvArchitecture(fields: Record<string, unknown> | undefined): boolean {
  const architecture = fields?.['architecture'];
  return typeof architecture === 'object' && architecture !== null && (architecture as { type?: unknown }).type === 'conv';
}
