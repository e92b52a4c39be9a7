import { train, type DecodedCheckpoint, type EpochEvent, type TrainResult } from '@vaekit/core';
import { fileCheckpointStore, saveModel } from '@vaekit/core/node';
import { describeCompile } from '../compile-flag.js';
import { pictureShape } from '../pictures.js';
import { removeRunFiles, removeTornWrites, runPath, type RUN_FILES } from '../run-folder.js';
import type { StopRequests } from '../stop-signals.js';
import { VERSION } from '../version.js';
import { EXIT_TERMINATED } from '../errors.js';
import { withCheckpointHint } from './failure.js';
import { clearBeforeStart } from './fresh-start.js';
import { RunRecords } from './records.js';
import { epochLine, printSummary, reportStopped, stoppedBeforeTraining, stoppedEarlyHeadline, trainLog } from './report.js';
import { writeRunPictures } from './run-pictures.js';
import type { RunArgs } from './run-args.js';
import type { RunPlan, TrainInputs } from './setup.js';
import type { TrainSession } from './session.js';
import { runTensorBoard, tensorBoardNote } from './tensorboard.js';
import { trackedStore } from './tracked-store.js';
import { describeChange } from './controls.js';
import { runOptions } from './run-options.js';
import { joinCluster } from './cluster.js';

/** The files every run folder holds once training has begun, for the summary. */
const ALWAYS_WRITTEN: readonly (keyof typeof RUN_FILES)[] = ['config', 'checkpoint', 'model', 'metrics', 'timing'];

/**
 * Writes the run folder, under the lock, and trains. The stop check and the phase change happen in one
 * turn of the event loop, so a signal is either seen here or handled as a stop request during training.
 */
export async function trainInto(session: TrainSession, stop: StopRequests, plan: RunPlan, inputs: TrainInputs): Promise<number> {
  if (stop.received) return stoppedBeforeTraining();
  session.phase = 'training';
  try {
    return await trainWritingFolder(session, stop, plan, inputs);
  } catch (error) {
    throw withCheckpointHint(error, session);
  }
}

async function trainWritingFolder(session: TrainSession, stop: StopRequests, plan: RunPlan, inputs: TrainInputs): Promise<number> {
  const { out } = session;
  const { args, saved } = plan;
  const resumeFrom = plan.resumeFrom?.checkpoint ?? null;
  const { model, data, compile } = inputs;
  const log = trainLog();
  const torn = await removeTornWrites(out);
  if (torn.length > 0) log.line(`note: removed ${torn.length} temporary file(s) left in ${out} by an interrupted write`);
  const restart = clearBeforeStart(plan.restart, out);
  if (restart.note) log.line(restart.note);
  if (restart.clear) removeRunFiles(out);

  const records = new RunRecords(out, saved && resumeFrom ? { config: saved, history: resumeFrom.state.history } : null);
  if (!saved) {
    await records.start({
      vaekit: VERSION,
      createdAt: new Date().toISOString(),
      args,
      model: { ...model.getConfig(), inputShape: [...model.inputShape] },
      data: {
        exampleShape: data.exampleShape,
        trainExamples: data.train.size,
        heldOut: data.heldOutName,
        ...(data.split ? { split: data.split } : {}),
      },
    });
  }
  if (plan.resumeFrom?.complete) {
    await records.rewrite();
    return await finishFromCheckpoint(out, plan.resumeFrom.checkpoint, inputs, args, records.epochs);
  }

  if (resumeFrom) log.line(`resuming ${out} from step ${resumeFrom.state.step} (epoch ${resumeFrom.state.epoch + 1})`);
  log.line(`training ${model.className} on ${data.train.size} examples of ${args.data}; validating on ${data.heldOutName}`);
  if (compile === false) log.line('steps: op by op (--compile off)');
  const shape = pictureShape(data.exampleShape);
  if (!shape) log.line(`note: examples of shape [${data.exampleShape.join(', ')}] are not pictures; no PNG grids will be written`);
  const written = new Set<string>(ALWAYS_WRITTEN.map((file) => runPath(out, file)));
  const tensorBoard = plan.tensorboard === undefined ? null : runTensorBoard(plan.tensorboard, data.heldOut, shape, args.seed);
  if (plan.tensorboard !== undefined) log.line(tensorBoardNote(plan.tensorboard));

  const distributed = inputs.cluster ? joinCluster(inputs.cluster, inputs.backend) : null;
  if (distributed) log.line(`distributed: the chief of ${distributed.worldSize} workers; global batch ${args.batchSize}, ${args.batchSize / distributed.worldSize} examples a worker`);
  let result: TrainResult;
  let lastRate: number | null = null;
  try {
    result = await train(model, data.train, {
      ...runOptions(args, data, compile, resumeFrom !== null),
      signal: stop.signal,
      checkpoint: trackedStore(fileCheckpointStore(runPath(out, 'checkpoint')), session, () => records.accepted()),
      onCompile: (event) => log.line(describeCompile(event)),
      // Why the continuation may not repeat the uninterrupted run bit for bit (an older checkpoint, another backend).
      onResume: (event) => {
        event.notes.forEach((note) => log.line(`note: ${note}`));
        event.changes.forEach((change) => log.line(describeChange(change)));
        records.noteChanges(event.changes);
      },
      ...(distributed ? { distributed } : {}),
      onBest: async (_event, trained) => {
        await saveModel(trained, runPath(out, 'best'));
        written.add(runPath(out, 'best'));
      },
      onStep: (event) => {
        if (args.lrSchedule?.type === 'plateau' && lastRate !== null && event.learningRate !== lastRate) {
          log.line(`learning rate reduced from ${lastRate} to ${event.learningRate} at step ${event.step - 1} (no improvement for ${args.lrSchedule.patience} epoch(s))`);
        }
        lastRate = event.learningRate;
        session.step = event.step;
        log.progress.step(event);
        tensorBoard?.onStep(event);
      },
      // `full`: the trainer's own history (the checkpoint's), where the trainer passes it.
      onEpochEnd: async (event, trained, full?: readonly EpochEvent[]) => {
        await records.accepted();
        await saveModel(trained, runPath(out, 'model'));
        if (shape) for (const path of await writeRunPictures(out, trained, data.heldOut, shape, args.seed, args.scale ?? 'auto')) written.add(path);
        await records.epochEnded(event, full);
        await tensorBoard?.onEpochEnd(event, trained);
        log.line(epochLine(event));
      },
    });
  } finally {
    log.progress.clear();
    tensorBoard?.close();
  }

  await saveModel(model, runPath(out, 'model'));
  if (result.status === 'aborted') {
    if (session.savedStep === null) throw new Error('training stopped without writing a checkpoint'); // the trainer always saves on abort
    reportStopped(out, result.steps, session.savedStep);
    // A distributed run stopped by another worker's signal: that is SIGTERM's stop, with a checkpoint.
    return distributed && stop.received === null ? EXIT_TERMINATED : stop.exitCodeWithCheckpoint();
  }
  const headline =
    result.status === 'stopped-early' && args.earlyStop ? stoppedEarlyHeadline(result, args.earlyStop, args.restoreBest === true) : undefined;
  printSummary(out, result, data.heldOutName, [...written], headline);
  if (stop.received) log.line('note: the run had finished when the stop request came; every file is written');
  return 0;
}

/**
 * `--resume` of a run whose checkpoint already ends it: nothing is left to train, but the files written
 * after the final checkpoint (model.vaekit, the pictures; metrics.jsonl was just rewritten) may be missing
 * or an epoch old if the run was killed in between. Rebuilt from the checkpoint's weights, they equal what
 * the uninterrupted run wrote, so the folder ends as if nothing had happened.
 */
async function finishFromCheckpoint(
  out: string,
  checkpoint: DecodedCheckpoint,
  { model, data }: TrainInputs,
  args: RunArgs,
  history: readonly EpochEvent[],
): Promise<number> {
  await checkpoint.restoreModel(model);
  await saveModel(model, runPath(out, 'model'));
  const written = ALWAYS_WRITTEN.map((file) => runPath(out, file));
  const shape = pictureShape(data.exampleShape);
  if (shape) written.push(...(await writeRunPictures(out, model, data.heldOut, shape, args.seed, args.scale ?? 'auto')));
  const { epoch, step } = checkpoint.state;
  printSummary(
    out,
    { status: 'completed', epochsCompleted: epoch, steps: step, history, resumedFromStep: step, best: null },
    data.heldOutName,
    written,
    `nothing left to train: the run completed ${epoch} epoch(s), ${step} steps; its files now match the checkpoint`,
  );
  return 0;
}
