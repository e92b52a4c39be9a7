// 2. SIGTERM and SIGINT each stop a run at the next step, write a checkpoint (at or past the step the run
// had shown) and exit 143 or 130; the run then resumes to the same bytes as an uninterrupted one. A second
// signal stops at once, exits 3 and never claims a checkpoint that is not on disk.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, pool } from '../lib/harness.mjs';
import { cli, lastStepShown, sleep, startCli, tail, waitForStderr } from '../lib/cli.mjs';
import { checkpointStep } from '../lib/files.mjs';
import { reference, runSettings } from '../lib/reference.mjs';

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string, jobs: number, env: Record<string, string | undefined> }} ctx */
export async function run(ctx) {
  const { suite } = ctx;
  const settings = runSettings(ctx);
  const dir = join(ctx.tmp, 'signals');
  /** @type {import('../lib/reference.mjs').Reference | undefined} */
  let ref;
  if (!(await suite.case('signals: uninterrupted reference run', async () => void (ref = await reference(ctx, 'auto'))))) return;
  const reference_ = /** @type {import('../lib/reference.mjs').Reference} */ (ref);
  const resumeArgs = (/** @type {string} */ out) => ['train', '--out', out, '--resume', '--backend', ctx.backend, '--compile', 'auto'];

  /**
   * Resumes `out` to the end and compares it with the reference.
   * @param {string} out
   * @param {number} from the step the resume must start from
   */
  const resumeToEnd = async (out, from) => {
    const resumed = await cli(resumeArgs(out), { timeoutMs: settings.timeoutMs });
    check(resumed.code === 0, () => `--resume failed (exit ${resumed.code}): ${tail(resumed.stderr)}`);
    check(resumed.stderr.includes(`resuming ${out} from step ${from} `), () => `--resume did not start from step ${from}: ${tail(resumed.stderr, 300)}`);
    check(readFileSync(join(out, 'model.vaekit')).equals(reference_.model), "the resumed run's model.vaekit differs from the uninterrupted run's");
    check(readFileSync(join(out, 'metrics.jsonl')).equals(reference_.metrics), "the resumed run's metrics.jsonl differs from the uninterrupted run's");
  };

  /** @type {(() => Promise<boolean>)[]} */
  const cases = [];
  for (const [signal, code, said] of /** @type {const} */ ([
    ['SIGTERM', 143, 'SIGTERM'],
    ['SIGINT', 130, 'interrupted \\(Ctrl-C\\)'],
  ])) {
    cases.push(() => suite.case(`signals: ${signal} writes a checkpoint, exits ${code}, and the run resumes byte-equal`, async () => {
      const out = join(dir, signal);
      const started = startCli(['train', ...settings.args, '--compile', 'auto', '--out', out], { timeoutMs: settings.timeoutMs });
      // Mid-run: the second epoch has begun (past a few checkpoints).
      await waitForStderr(started, (s) => /^epoch 2\/\d+ {2}batch /m.test(s), 'the second epoch', settings.timeoutMs);
      const shown = /** @type {number} */ (lastStepShown(started.stderr()));
      started.child.kill(signal);
      const run = await started.done;
      check(run.code === code, () => `exit ${run.code}${run.signal ? ` (killed by ${run.signal})` : ''}, expected ${code}: ${tail(run.stderr)}`);
      check(new RegExp(`^${said}: stopping at the next step and writing a checkpoint`, 'm').test(run.stderr), () => `no line saying what ${signal} does: ${tail(run.stderr)}`);
      const stopped = /^stopped at step (\d+); checkpoint \(step (\d+)\) saved to (.*); resume with: vaekit train --out (.*) --resume$/m.exec(run.stderr);
      check(stopped, () => `no 'stopped at step N; checkpoint (step N) saved to ...' line: ${tail(run.stderr)}`);
      const step = Number(stopped[2]);
      check(step === Number(stopped[1]), `the checkpoint (step ${stopped[2]}) is not the step it stopped at (${stopped[1]})`);
      check(step >= shown, `the checkpoint's step ${step} is before the step the run had shown (${shown})`);
      const onDisk = await checkpointStep(join(out, 'checkpoint.vaekit'));
      check(onDisk === step, `checkpoint.vaekit holds step ${onDisk}, the message says ${step}`);
      const left = readdirSync(out).filter((n) => n.endsWith('.tmp') || n.startsWith('vaekit.lock'));
      check(left.length === 0, `left behind: ${left.join(', ')}`);
      await resumeToEnd(out, step);
      return `shown step ${shown}, checkpoint step ${step}, resumed to the end byte-equal`;
    }));
  }

  // Two different signals at once (the kernel merges two pending signals of one kind): the second always
  // lands before the step boundary, so the run exits 3, naming the checkpoint it keeps, if any.
  cases.push(() => suite.case('signals: a second signal stops at once, exits 3, and claims no checkpoint that is not on disk; the run still resumes byte-equal', async () => {
    const out = join(dir, 'twice');
    const started = startCli(['train', ...settings.args, '--compile', 'auto', '--out', out], { timeoutMs: settings.timeoutMs });
    await waitForStderr(started, (s) => /^epoch 2\/\d+ {2}batch /m.test(s), 'the second epoch', settings.timeoutMs);
    started.child.kill('SIGTERM');
    started.child.kill('SIGINT');
    const run = await started.done;
    check(run.code === 3, () => `exit ${run.code}, expected 3 (stopped without a new checkpoint): ${tail(run.stderr)}`);
    check(!/^stopped at step/m.test(run.stderr), () => `it claims a checkpoint written on stopping: ${tail(run.stderr)}`);
    const line = /^second (SIGTERM|interrupted \(Ctrl-C\)): stopping now without a checkpoint; (.*)$/m.exec(run.stderr);
    check(line, () => `no 'second ...: stopping now without a checkpoint' line: ${tail(run.stderr)}`);
    const named = /\(step (\d+)( or newer)?\)/.exec(line[2]);
    check(named, `the second-signal line names no checkpoint, though the run had passed several: ${line[2]}`);
    const onDisk = await checkpointStep(join(out, 'checkpoint.vaekit'));
    check(named[2] ? onDisk >= Number(named[1]) : onDisk === Number(named[1]), `the line names step ${named[1]}${named[2] ?? ''}, checkpoint.vaekit holds step ${onDisk}`);
    check(!existsSync(join(out, 'vaekit.lock')), 'vaekit.lock was left behind');
    await resumeToEnd(out, onDisk);
    return `named step ${named[1]}${named[2] ?? ''}, on disk ${onDisk}`;
  }));

  // A signal before the first checkpoint: nothing to resume, and a plain rerun starts the run over.
  cases.push(() => suite.case('signals: a run stopped twice before its first checkpoint says none exists; a plain rerun completes byte-equal', async () => {
    const out = join(dir, 'before-first');
    const args = ['train', ...settings.args, '--compile', 'auto', '--out', out];
    const started = startCli(args, { timeoutMs: settings.timeoutMs });
    // The lock is taken once the folder is made, just before training: signal as soon as it exists.
    await waitForStderr(started, (s) => /^training /m.test(s), "the 'training ...' line", settings.timeoutMs);
    while (!existsSync(join(out, 'config.json')) && started.child.exitCode === null) await sleep(2);
    started.child.kill('SIGINT');
    started.child.kill('SIGTERM');
    const run = await started.done;
    const hasCheckpoint = existsSync(join(out, 'checkpoint.vaekit'));
    check(run.code === 3 || run.code === 130 || run.code === 143, () => `exit ${run.code}: ${tail(run.stderr)}`);
    if (run.code === 3 && !hasCheckpoint) {
      check(/nothing to resume: rerun the same command to start over|nothing was written|may not be complete/.test(run.stderr), () => `the second-signal line does not say there is no checkpoint: ${tail(run.stderr)}`);
    }
    check(hasCheckpoint || !/checkpoint \(step \d+\) saved|is kept/.test(run.stderr), () => `it names a checkpoint, but there is none: ${tail(run.stderr)}`);
    const again = await cli(hasCheckpoint ? resumeArgs(out) : args, { timeoutMs: settings.timeoutMs });
    check(again.code === 0, () => `the ${hasCheckpoint ? 'resume' : 'rerun'} failed (exit ${again.code}): ${tail(again.stderr)}`);
    check(readFileSync(join(out, 'model.vaekit')).equals(reference_.model), "model.vaekit differs from the uninterrupted run's");
    check(readFileSync(join(out, 'metrics.jsonl')).equals(reference_.metrics), "metrics.jsonl differs from the uninterrupted run's");
    return `exit ${run.code}, ${hasCheckpoint ? 'a checkpoint was there (the signals came late)' : 'no checkpoint'}; ${hasCheckpoint ? 'resumed' : 'rerun'} byte-equal`;
  }));

  await pool(cases, ctx.jobs, (c) => c());
}
