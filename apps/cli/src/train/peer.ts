import { train } from '@vaekit/core';
import { fileCheckpointStore } from '@vaekit/core/node';
import { EXIT_STOPPED, EXIT_TERMINATED } from '../errors.js';
import { runPath } from '../run-folder.js';
import { handleStopSignals } from '../stop-signals.js';
import { joinCluster, type ClusterPlan } from './cluster.js';
import type { TrainFlags } from './flags.js';
import { readResumePoint } from './resume.js';
import { mergeForResume, type RunArgs } from './run-args.js';
import { readRunConfig } from './run-config.js';
import { runOptions } from './run-options.js';
import { loadInputs, type RunPlan } from './setup.js';

/**
 * A distributed run's worker other than the chief: it trains the same run as the chief but writes nothing
 * (no run folder, lock, checkpoint, metrics or pictures). On --resume it reads the chief's run folder, which
 * must be on storage it can read. A stop signal here is sent to every worker with the next step.
 */
export async function trainAsPeer(flags: TrainFlags, fresh: RunArgs | null, out: string, cluster: ClusterPlan): Promise<number> {
  const { rank } = cluster.config.self;
  const say = (line: string): void => void process.stderr.write(`worker ${rank}: ${line}\n`);
  const stop = handleStopSignals({
    first: (signal) => `worker ${rank}: ${signal}: every worker stops after the next step; the chief writes the checkpoint`,
    second: (signal) => `worker ${rank}: second ${signal}: stopping now; the other workers will fail their next step`,
    write: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const plan = await peerPlan(flags, fresh, out);
    if (plan.resumeFrom?.complete) {
      say(`the run in ${out} is complete; the chief rewrites its files, nothing to train`);
      return 0;
    }
    const inputs = await loadInputs(flags, plan);
    try {
      if (stop.received) return EXIT_STOPPED;
      const distributed = joinCluster(cluster, inputs.backend);
      say(`joined ${distributed.worldSize} workers (pid ${process.pid}; SIGTERM here stops them all with a checkpoint)`);
      const resuming = plan.resumeFrom !== null;
      const result = await train(inputs.model, inputs.data.train, {
        ...runOptions(plan.args, inputs.data, inputs.compile, resuming),
        signal: stop.signal,
        // Read for a resume only: core saves on the chief alone.
        ...(resuming ? { checkpoint: fileCheckpointStore(runPath(out, 'checkpoint')) } : {}),
        distributed,
        onCompile: () => undefined,
        onResume: (event) => say(`resuming from step ${event.step}`),
      });
      if (result.status === 'aborted') {
        say(`stopped with the others after step ${result.steps}; the chief wrote the checkpoint`);
        // Stopped with a checkpoint, on a signal here or a peer's: a signal anywhere in the cluster is SIGTERM's stop.
        return stop.received === null ? EXIT_TERMINATED : stop.exitCodeWithCheckpoint();
      }
      say(`done: ${result.steps} steps`);
      return 0;
    } finally {
      inputs.model.dispose();
    }
  } finally {
    stop.dispose();
  }
}

/** The run's settings without touching its folder: the chief holds its lock and writes it. */
async function peerPlan(flags: TrainFlags, fresh: RunArgs | null, out: string): Promise<RunPlan> {
  if (fresh !== null) return { args: fresh, saved: null, resumeFrom: null, restart: null };
  const saved = readRunConfig(out);
  const args = mergeForResume(saved.args, flags.requested);
  return { args, saved: { ...saved, args }, resumeFrom: await readResumePoint(out, args.epochs), restart: null };
}
