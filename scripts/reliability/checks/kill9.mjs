// 1. kill -9 at random moments, then resume until done: the final weights and metrics.jsonl must be
// byte-equal to an uninterrupted run's, and no kill may leave a checkpoint that fails to load.
//
// The kill plan is seeded (the suite prints the seed): trial i draws how many kills it gets (1, or 2 with
// probability 1/4: the second strikes the resumed or rerun process), and
// for each whether it strikes during start-up (a fraction of the reference run's start-up time after
// spawn) or during training (a delay after the run's first progress line, up to the reference run's
// training time). Where a kill lands also depends on the machine's speed, so the log gives each trial's
// plan and outcome (the step shown before the kill, the checkpoint's step, where the resume started).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, pool, seededRandom } from '../lib/harness.mjs';
import { cli, lastStepShown, sleep, startCli, tail } from '../lib/cli.mjs';
import { checkpointStep, modelWeights } from '../lib/files.mjs';
import { killRunSettings, reference } from '../lib/reference.mjs';

/** @typedef {import('../lib/reference.mjs').Reference} Reference */

/**
 * @typedef {{
 *   index: number, mode: string, kills: number, landed: number, corrupt: number, corruptNotes: string[],
 *   weightsEqual: boolean, modelEqual: boolean, metricsEqual: boolean, problems: string[], story: string[],
 *   resumedFrom: number[], restarts: number, tornWrites: number,
 * }} Trial
 */

/**
 * @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, seed: number, backend: string, jobs: number, env: Record<string, string | undefined> }} ctx
 */
export async function run(ctx) {
  const { suite, env } = ctx;
  const model = env.VAEKIT_RELIABILITY_MODEL ?? 'small';
  const trials = Number(env.VAEKIT_RELIABILITY_TRIALS ?? '20');
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`VAEKIT_RELIABILITY_TRIALS must be a whole number >= 1, got '${env.VAEKIT_RELIABILITY_TRIALS}'`);
  const compile = env.VAEKIT_RELIABILITY_COMPILE ?? 'auto';
  const modes = compile === 'both' ? ['auto', 'off'] : [compile];
  const settings = killRunSettings(model, ctx.backend, env);
  if (!['auto', 'off', 'xla', 'both'].includes(compile)) throw new Error(`VAEKIT_RELIABILITY_COMPILE must be auto, off, xla or both, got '${compile}'`);
  const dir = join(ctx.tmp, 'kill9');
  mkdirSync(dir, { recursive: true });
  console.log(`kill -9: ${trials} trials of ${settings.name}, --compile ${modes.join(' and ')}${modes.length > 1 ? ' (alternating)' : ''}, seed ${ctx.seed}, ${ctx.jobs} at a time`);

  /** @type {Map<string, Reference>} */
  const references = new Map();
  for (const mode of modes) {
    const ok = await suite.case(`kill -9: uninterrupted reference run (--compile ${mode})`, async () => {
      const ref = await reference(ctx, mode);
      references.set(mode, ref);
      return `${ref.steps} steps; start-up ${(ref.tFirst / 1000).toFixed(1)} s, training ${(ref.tTrain / 1000).toFixed(1)} s`;
    });
    if (!ok) return;
  }

  // Trials whose kills all came after the run had finished interrupted nothing; more are started in their
  // place, up to twice the count asked for, while the suite has time.
  const maxAttempts = trials * 2;
  /** @type {Trial[]} */
  const done = [];
  const interrupted = () => done.filter((t) => t.landed > 0).length;
  const attempts = Array.from({ length: maxAttempts }, (_, i) => i);
  // No new trial within 30 s of the suite's budget: a trial is at most 3 runs, each within its own limit.
  const stop = () => interrupted() >= trials || suite.remainingMs() < 30_000;
  await pool(
    attempts,
    ctx.jobs,
    async (index) => {
      if (stop()) return;
      const mode = modes[index % modes.length];
      const trial = await runTrial(index, ctx.seed, settings, /** @type {Reference} */ (references.get(mode)), join(dir, `trial-${index}`));
      done.push(trial);
      const verdict = trial.problems.length === 0 ? 'ok' : 'FAIL';
      console.log(`  trial ${index} (--compile ${mode}) ${verdict}: ${trial.story.join('; ')}${trial.problems.length ? ` -- ${trial.problems.join('; ')}` : ''}`);
    },
    stop,
  );

  const counted = done.filter((t) => t.landed > 0);
  const kills = done.reduce((n, t) => n + t.landed, 0);
  const corrupt = done.reduce((n, t) => n + t.corrupt, 0);
  const weightsEqual = counted.filter((t) => t.weightsEqual).length;
  const modelEqual = counted.filter((t) => t.modelEqual).length;
  const metricsEqual = counted.filter((t) => t.metricsEqual).length;
  const restarts = done.reduce((n, t) => n + t.restarts, 0);
  const torn = done.reduce((n, t) => n + t.tornWrites, 0);
  const resumedFrom = [...new Set(done.flatMap((t) => t.resumedFrom))].sort((a, b) => a - b);
  const missed = done.length - counted.length;
  console.log(
    `kill -9 counts: trials ${counted.length} (${kills} kills; ${missed} more trials finished before their kill), ` +
      `corrupt checkpoints ${corrupt}, byte-equal weights ${weightsEqual}/${counted.length}, byte-equal model.vaekit ${modelEqual}/${counted.length}, ` +
      `byte-equal metrics.jsonl ${metricsEqual}/${counted.length}; kills that left .tmp files ${torn}; restarts of a run with no checkpoint ${restarts}; resumed from steps [${resumedFrom.join(', ')}]; seed ${ctx.seed}`,
  );

  // A kill between the last epoch's checkpoint and its metrics line (the model, pictures and metrics are
  // written after the checkpoint) leaves a folder whose checkpoint ends the run while metrics.jsonl lacks
  // the last epoch and model.vaekit and the pictures are an epoch old. The random kills above land there
  // only now and then; this makes that state directly (the reference run's folder without its last
  // metrics line, model.vaekit and samples.png) and resumes it as they would.
  await suite.case('kill -9 after the final checkpoint, before the last metrics line: --resume completes the folder byte-equal', async () => {
    const ref = /** @type {Reference} */ (references.get(modes[0]));
    const out = join(dir, 'after-final-checkpoint');
    cpSync(ref.out, out, { recursive: true });
    const lines = ref.metrics.toString().split('\n').filter((l) => l !== '');
    writeFileSync(join(out, 'metrics.jsonl'), `${lines.slice(0, -1).join('\n')}\n`);
    rmSync(join(out, 'model.vaekit'));
    rmSync(join(out, 'samples.png'));
    const backend = settings.args[settings.args.indexOf('--backend') + 1];
    const run = await cli(['train', '--out', out, '--resume', '--backend', backend, '--compile', ref.mode], { timeoutMs: settings.timeoutMs });
    check(
      run.code === 0,
      () =>
        `--resume exits ${run.code} (${tail(run.stderr, 200)}), so a run killed in that window can never be completed: metrics.jsonl keeps ` +
        `${lines.length - 1} of ${lines.length} lines. Reproduce: train a run to the end, drop the last line of its metrics.jsonl, run vaekit train --out DIR --resume`,
    );
    check(readFileSync(join(out, 'metrics.jsonl')).equals(ref.metrics), 'after --resume, metrics.jsonl differs from the uninterrupted run');
    check(existsSync(join(out, 'model.vaekit')) && readFileSync(join(out, 'model.vaekit')).equals(ref.model), 'after --resume, model.vaekit is missing or differs from the uninterrupted run');
    check(existsSync(join(out, 'samples.png')) && readFileSync(join(out, 'samples.png')).equals(readFileSync(join(ref.out, 'samples.png'))), 'after --resume, samples.png is missing or differs from the uninterrupted run');
  });

  await suite.case(`kill -9: at least ${trials} trials interrupted and resumed`, () => {
    check(counted.length >= trials, `only ${counted.length} of ${trials} trials ran with a kill that landed (${missed} finished first; time left ${Math.round(suite.remainingMs() / 1000)} s)`);
    return `${counted.length} trials, ${kills} kills`;
  });
  await suite.case('kill -9: no corrupt checkpoint (every checkpoint a kill left decodes and resumes)', () => {
    const notes = done.flatMap((t) => t.corruptNotes.map((n) => `trial ${t.index}: ${n}`));
    check(corrupt === 0, `${corrupt} corrupt checkpoint(s): ${notes.join('; ')}`);
    return `0 of ${kills} kills`;
  });
  await suite.case('kill -9: every resumed run ends with weights, model.vaekit and metrics.jsonl byte-equal to the uninterrupted run', () => {
    const bad = done.filter((t) => t.problems.length > 0);
    check(bad.length === 0, `${bad.length} trial(s) differ or failed: ${bad.map((t) => `trial ${t.index} (--compile ${t.mode}; ${t.story.join(', ')}): ${t.problems.join('; ')}`).join(' || ')}`);
    return `${weightsEqual}/${counted.length} weights, ${modelEqual}/${counted.length} model files, ${metricsEqual}/${counted.length} metrics`;
  });
}

/**
 * One trial: a fresh run killed once or twice at seeded moments, then resumed (or, without a checkpoint,
 * rerun) until it completes, and its files compared with the reference's.
 * @param {number} index
 * @param {number} seed
 * @param {{ args: string[], timeoutMs: number }} settings
 * @param {Reference} ref
 * @param {string} out
 * @returns {Promise<Trial>}
 */
async function runTrial(index, seed, settings, ref, out) {
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const fresh = ['train', ...settings.args, '--compile', ref.mode, '--out', out];
  const resume = ['train', '--out', out, '--resume', '--backend', settings.args[settings.args.indexOf('--backend') + 1], '--compile', ref.mode];
  const checkpoint = join(out, 'checkpoint.vaekit');
  /** @type {Trial} */
  const trial = {
    index,
    mode: ref.mode,
    kills: random() < 0.25 ? 2 : 1,
    landed: 0,
    corrupt: 0,
    corruptNotes: [],
    weightsEqual: false,
    modelEqual: false,
    metricsEqual: false,
    problems: [],
    story: [],
    resumedFrom: [],
    restarts: 0,
    tornWrites: 0,
  };
  /** Which command the next run is: --resume when a checkpoint is there (a user's script does the same). */
  const next = () => (existsSync(checkpoint) ? resume : fresh);
  const note = (/** @type {string} */ args) => {
    const from = /^resuming .* from step (\d+)/m.exec(args);
    if (from) trial.resumedFrom.push(Number(from[1]));
    if (/stopped before its first checkpoint; starting it over/.test(args)) trial.restarts++;
  };

  let completed = false;
  for (let k = 0; k < trial.kills; k++) {
    const duringStartup = random() < 0.15;
    const fraction = random();
    const args = next();
    const started = startCli(args, { timeoutMs: settings.timeoutMs });
    let ended = false;
    started.done.then(() => (ended = true));
    let plan;
    if (duringStartup) {
      const delay = Math.round((0.2 + 0.8 * fraction) * ref.tFirst);
      plan = `start-up +${delay} ms`;
      await sleep(delay);
    } else {
      // A delay after the first progress line, within the reference's training time.
      const delay = Math.round(fraction * 0.9 * ref.tTrain);
      plan = `training +${delay} ms`;
      const limit = Date.now() + settings.timeoutMs;
      while (!ended && !/^epoch \d+\/\d+ {2}batch /m.test(started.stderr()) && Date.now() < limit) await sleep(5);
      await sleep(delay);
    }
    if (ended) {
      const run = await started.done;
      note(run.stderr);
      trial.story.push(`kill ${k + 1} (${plan}) came after the run ended (exit ${run.code})`);
      if (run.code === 0) completed = true;
      else trial.problems.push(`${args === resume ? '--resume' : 'the run'} failed before its kill: exit ${run.code}: ${tail(run.stderr, 300)}`);
      break;
    }
    started.child.kill('SIGKILL');
    const run = await started.done;
    note(run.stderr);
    trial.landed++;
    const shown = lastStepShown(run.stderr);
    let left = 'no checkpoint';
    if (existsSync(checkpoint)) {
      try {
        left = `checkpoint step ${await checkpointStep(checkpoint)}`;
      } catch (error) {
        trial.corrupt++;
        trial.corruptNotes.push(`after kill ${k + 1} (${plan}): ${error instanceof Error ? error.message : String(error)}`);
        left = 'a CORRUPT checkpoint';
      }
    }
    // Temporary files of writes the kill cut short: the next run must remove them.
    const torn = existsSync(out) ? readdirSync(out).filter((name) => name.endsWith('.tmp')).length : 0;
    if (torn > 0) trial.tornWrites++;
    trial.story.push(`kill ${k + 1} (${plan}) at step ${shown ?? 'none'} shown, left ${left}${torn > 0 ? ` and ${torn} .tmp file(s)` : ''}`);
  }

  // Resume (or rerun) to the end: one run, within its time limit.
  if (!completed && trial.problems.length === 0) {
    const args = next();
    const run = await startCli(args, { timeoutMs: settings.timeoutMs }).done;
    note(run.stderr);
    if (run.code === 0) {
      completed = true;
    } else {
      const why = `${args === resume ? '--resume' : 'the rerun'} failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${tail(run.stderr, 400)}`;
      if (args === resume && /checkpoint\.vaekit/.test(run.stderr) && /corrupt|truncated|checksum|damaged|not a vaekit/i.test(run.stderr)) {
        trial.corrupt++;
        trial.corruptNotes.push(why);
      }
      trial.problems.push(why);
    }
  }
  if (!completed) return trial;
  trial.story.push(trial.resumedFrom.length ? `resumed from step ${trial.resumedFrom.join(', then ')}` : 'no checkpoint to resume: the same command again, from the start');

  try {
    const modelFile = readFileSync(join(out, 'model.vaekit'));
    const weights = await modelWeights(join(out, 'model.vaekit'));
    trial.modelEqual = modelFile.equals(ref.model);
    trial.weightsEqual = Buffer.from(weights).equals(Buffer.from(ref.weights));
    const metrics = readFileSync(join(out, 'metrics.jsonl'));
    trial.metricsEqual = metrics.equals(ref.metrics);
    if (!trial.weightsEqual) trial.problems.push(`weights differ from the uninterrupted run's (${differingFloats(weights, ref.weights)})`);
    else if (!trial.modelEqual) trial.problems.push("model.vaekit differs from the uninterrupted run's though its weights are equal");
    if (!trial.metricsEqual) trial.problems.push(`metrics.jsonl differs: ${firstDifference(metrics.toString(), ref.metrics.toString())}`);
  } catch (error) {
    trial.problems.push(`cannot compare: ${error instanceof Error ? error.message : String(error)}`);
  }
  const leftovers = readdirSync(out).filter((name) => name.endsWith('.tmp') || name === 'vaekit.lock' || name === 'vaekit.lock.takeover');
  if (leftovers.length > 0) trial.problems.push(`left behind after the completed run: ${leftovers.join(', ')}`);
  return trial;
}

/**
 * How many float32 values of two weight sections differ, and the largest difference.
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
function differingFloats(a, b) {
  if (a.byteLength !== b.byteLength) return `${a.byteLength} bytes against ${b.byteLength}`;
  const x = new Float32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const y = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  let count = 0;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) {
      count++;
      worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
  }
  return `${count} of ${x.length} values, largest difference ${worst.toExponential(2)}`;
}

/**
 * The first line where two texts differ, both versions shortened.
 * @param {string} got
 * @param {string} want
 */
function firstDifference(got, want) {
  const a = got.split('\n');
  const b = want.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: got ${JSON.stringify((a[i] ?? '<none>').slice(0, 160))}, want ${JSON.stringify((b[i] ?? '<none>').slice(0, 160))}`;
  }
  return 'same lines, different bytes';
}

