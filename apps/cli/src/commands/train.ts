import type { Command } from '../command.js';
import { clusterFromEnvironment, type ClusterPlan } from '../train/cluster.js';
import { trainAsPeer } from '../train/peer.js';
import { describeModels, resolveModelClass } from '../models.js';
import { checkOutFolder, makeRunFolder } from '../run-folder.js';
import { handleStopSignals, type StopRequests } from '../stop-signals.js';
import { parseTrainFlags, TRAIN_USAGE, type TrainFlags } from '../train/flags.js';
import { planFreshStart } from '../train/fresh-start.js';
import { stoppedBeforeTraining } from '../train/report.js';
import { defaultArgs, type RunArgs } from '../train/run-args.js';
import { loadInputs, lockRunFolder, planRun } from '../train/setup.js';
import { newSession, type TrainSession } from '../train/session.js';
import { trainStopHandlers } from '../train/stop-messages.js';
import { trainInto } from '../train/training.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model; checkpoints, metrics and picture grids go into --out',
  get usage() {
    return `${TRAIN_USAGE}\n\nmodels:\n${describeModels()}`;
  },
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const flags = parseTrainFlags(argv);
  const fresh: RunArgs | null = flags.resume
    ? null
    : { ...defaultArgs(), ...flags.requested, model: resolveModelClass(flags.requested.model ?? 'Vae') };
  const out = flags.out ?? defaultOut(fresh!.model);
  checkOutFolder(out);
  const cluster = flags.distributed ? clusterFromEnvironment(flags.clusterTimeouts) : null;
  if (cluster && cluster.config.self.rank > 0) return trainAsPeer(flags, fresh, out, cluster);

  const session = newSession(out);
  const stop = handleStopSignals(trainStopHandlers(session));
  try {
    return await runLocked(flags, fresh, session, stop, cluster);
  } finally {
    stop.dispose();
    session.lock?.release();
  }
}

/** `runs/<model>-<date>`, to the second, for a run without --out. */
function defaultOut(model: string): string {
  return `runs/${model.toLowerCase()}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
}

async function runLocked(
  flags: TrainFlags,
  fresh: RunArgs | null,
  session: TrainSession,
  stop: StopRequests,
  cluster: ClusterPlan | null,
): Promise<number> {
  const plan = await planRun(flags, fresh, session);
  const inputs = await loadInputs(flags, plan);
  if (cluster) inputs.cluster = cluster;
  try {
    if (stop.received) return stoppedBeforeTraining();
    // A new folder is created and locked only now, so bad input leaves nothing behind; what it holds is
    // checked again under the lock, since another run may have started there meanwhile.
    if (!session.lock) {
      makeRunFolder(session.out);
      await lockRunFolder(session);
      plan.restart = planFreshStart(session.out, flags.force);
    }
    return await trainInto(session, stop, plan, inputs);
  } finally {
    inputs.model.dispose();
  }
}
