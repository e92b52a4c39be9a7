// 4. Disk full on a small tmpfs: the run stops with one line (exit 1, no stack trace) naming the file and
// the cause, the last checkpoint stays intact, nothing temporary or locked is left, and once space is
// freed the run resumes (or, with no checkpoint yet, reruns) to the same bytes as an uninterrupted run.
import { readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, pool } from '../lib/harness.mjs';
import { cli, expectOneLineError, tail } from '../lib/cli.mjs';
import { checkpointStep } from '../lib/files.mjs';
import { reference, runSettings } from '../lib/reference.mjs';
import { mountTmpfs } from '../lib/tmpfs.mjs';

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string, jobs: number, env: Record<string, string | undefined> }} ctx */
export async function run(ctx) {
  const { suite } = ctx;
  const settings = runSettings(ctx);
  /** @type {import('../lib/reference.mjs').Reference | undefined} */
  let ref;
  if (!(await suite.case('disk full: uninterrupted reference run', async () => void (ref = await reference(ctx, 'auto'))))) return;
  const reference_ = /** @type {import('../lib/reference.mjs').Reference} */ (ref);
  const size = (/** @type {string} */ name) => statSync(join(reference_.out, name)).size;
  const checkpointBytes = size('checkpoint.vaekit');
  const modelBytes = size('model.vaekit');
  const pictureBytes = ['samples.png', 'reconstructions.png', 'interpolation.png'].reduce((n, name) => n + size(name), 0);

  // Free space left on the disk when the run starts. A checkpoint is written beside the one it replaces,
  // then renamed over it, so a run that checkpoints every few steps needs room for two; one that
  // checkpoints only at epoch ends writes the first checkpoint, then model.vaekit and the pictures. Cases:
  // too little for the first checkpoint; for one but not two; (epoch-end checkpoints only) for the first
  // checkpoint but not model.vaekit; for those but not all the pictures. Checkpointing at epoch ends only
  // trains the same numbers, so those runs too must end byte-equal to the reference.
  /** @type {[string, number, string[]][]} */
  const cases = [
    ['too little for the first checkpoint', Math.floor(0.5 * checkpointBytes), []],
    ['room for one checkpoint, not two', Math.floor(1.5 * checkpointBytes), []],
    ['room for the first checkpoint, not model.vaekit', checkpointBytes + Math.floor(0.5 * modelBytes), ['--checkpoint-every', '0']],
    ['room for the first checkpoint and model.vaekit, not the pictures', checkpointBytes + modelBytes + Math.floor(0.5 * pictureBytes), ['--checkpoint-every', '0']],
  ];
  await pool(cases, ctx.jobs, async ([what, free, extra]) => {
    await suite.case(`disk full (${what}): one line, exit 1, last checkpoint intact, then resumes byte-equal`, async () => {
      const megabytes = Math.ceil((free + 2 * (2 * checkpointBytes + modelBytes + pictureBytes) + 1024 * 1024) / (1024 * 1024));
      const disk = mountTmpfs(join(ctx.tmp, `disk-${free}`), `${megabytes}m`);
      const stat = statfsSync(disk);
      const filler = join(disk, 'filler');
      writeFileSync(filler, Buffer.alloc(Math.max(0, stat.bavail * stat.bsize - free)));
      const out = join(disk, 'run');
      const args = ['train', ...settings.args, ...extra, '--compile', 'auto', '--out', out];
      const run = await cli(args, { timeoutMs: settings.timeoutMs });
      expectOneLineError(run, /the disk is full \(ENOSPC\); free some space, or use a folder on another disk/);
      const line = /** @type {string} */ (run.stderr.split('\n').find((l) => l.startsWith('error: ')));
      check(line.includes(out), `the error line does not name a file in ${out}: ${line}`);
      const path = join(out, 'checkpoint.vaekit');
      let step = null;
      if (existsSync(path)) {
        step = await checkpointStep(path); // throws (fails the case) when the checkpoint is damaged
        const named = /the last checkpoint \(step (\d+)\) is intact: resume with vaekit train --out (.*) --resume once that is fixed$/.exec(line);
        check(named, `a checkpoint (step ${step}) is on disk, but the error line does not say so and how to resume: ${line}`);
        check(Number(named[1]) === step, `the error line names step ${named[1]}, checkpoint.vaekit holds step ${step}`);
      } else if (existsSync(out)) {
        check(/no checkpoint was written, so rerun the same command once that is fixed$/.test(line), `no checkpoint on disk, and the error line does not say to rerun: ${line}`);
      }
      const left = existsSync(out) ? readdirSync(out).filter((n) => n.endsWith('.tmp') || n.startsWith('vaekit.lock')) : [];
      check(left.length === 0, `left behind in ${out}: ${left.join(', ')}`);

      rmSync(filler);
      const again = await cli(step === null ? args : ['train', '--out', out, '--resume', '--backend', ctx.backend, '--compile', 'auto'], { timeoutMs: settings.timeoutMs });
      check(again.code === 0, () => `after freeing space, the ${step === null ? 'rerun' : 'resume'} failed (exit ${again.code}): ${tail(again.stderr)}`);
      check(readFileSync(join(out, 'model.vaekit')).equals(reference_.model), "model.vaekit differs from the uninterrupted run's");
      check(readFileSync(join(out, 'metrics.jsonl')).equals(reference_.metrics), "metrics.jsonl differs from the uninterrupted run's");
      const failed = /cannot \w+(?: the folder)? (\S+?):? /.exec(line)?.[1] ?? '?';
      return `stopped writing ${failed.replace(`${out}/`, '')}; ${step === null ? 'no checkpoint; rerun' : `checkpoint step ${step} intact; resumed`} byte-equal`;
    });
  });
}
