// 3. Two runs on one folder: while a train runs, a second train, a --resume and a --force on its folder
// are each refused with one line naming the owner, change nothing, and the owner completes unharmed
// (byte-equal to an uninterrupted run). Two trains started together on a new folder: exactly one runs.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { check } from '../lib/harness.mjs';
import { cli, expectOneLineError, startCli, tail, waitForStderr } from '../lib/cli.mjs';
import { describeChanges, fileHashes } from '../lib/files.mjs';
import { reference, runSettings } from '../lib/reference.mjs';

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string, env: Record<string, string | undefined> }} ctx */
export async function run(ctx) {
  const { suite } = ctx;
  const settings = runSettings(ctx);
  const dir = join(ctx.tmp, 'lock');
  /** @type {import('../lib/reference.mjs').Reference | undefined} */
  let ref;
  if (!(await suite.case('lock: uninterrupted reference run', async () => void (ref = await reference(ctx, 'auto'))))) return;
  const reference_ = /** @type {import('../lib/reference.mjs').Reference} */ (ref);
  const escapeRegExp = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  await suite.case('lock: a second train, --resume and --force on a running run\'s folder are refused in one line; the owner completes byte-equal', async () => {
    const out = join(dir, 'busy');
    const args = ['train', ...settings.args, '--compile', 'auto', '--out', out];
    const owner = startCli(args, { timeoutMs: settings.timeoutMs * 2 });
    const pid = /** @type {number} */ (owner.child.pid);
    let paused = false;
    try {
      await waitForStderr(owner, (s) => /^epoch 1\/\d+ {2}batch /m.test(s) && existsSync(join(out, 'checkpoint.vaekit')), 'the first checkpoint', settings.timeoutMs);
      // Paused, the owner is alive but writes nothing: the refused commands meet a live lock and a folder
      // that only they could change.
      owner.child.kill('SIGSTOP');
      paused = true;
      const before = fileHashes(out);
      const refusal = new RegExp(`^error: ${escapeRegExp(out)} is in use by another vaekit train \\(pid ${pid} on ${escapeRegExp(hostname())},`);
      const [again, resume, force] = await Promise.all([
        cli(args, { timeoutMs: settings.timeoutMs }),
        cli(['train', '--out', out, '--resume', '--backend', ctx.backend], { timeoutMs: settings.timeoutMs }),
        cli([...args, '--force'], { timeoutMs: settings.timeoutMs }),
      ]);
      /** @type {string[]} */
      const problems = [];
      for (const [what, run] of /** @type {const} */ ([['train', again], ['--resume', resume], ['--force', force]])) {
        try {
          expectOneLineError(run, refusal);
        } catch (error) {
          problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const changed = describeChanges(before, fileHashes(out));
      check(changed === '', () => `the refused commands changed ${out}: ${changed}`);
      check(problems.length === 0, () => problems.join(' || '));
    } finally {
      if (paused) owner.child.kill('SIGCONT');
    }
    const done = await owner.done;
    check(done.code === 0, () => `the owner did not complete (exit ${done.code}): ${tail(done.stderr)}`);
    check(readFileSync(join(out, 'model.vaekit')).equals(reference_.model), "the owner's model.vaekit differs from an uninterrupted run's");
    check(readFileSync(join(out, 'metrics.jsonl')).equals(reference_.metrics), "the owner's metrics.jsonl differs from an uninterrupted run's");
    check(!existsSync(join(out, 'vaekit.lock')), 'the owner left vaekit.lock behind');
  });

  await suite.case('lock: of two trains started together on one new folder, exactly one runs (byte-equal), the other is refused in one line', async () => {
    const out = join(dir, 'race');
    const args = ['train', ...settings.args, '--compile', 'auto', '--out', out];
    const runs = await Promise.all([cli(args, { timeoutMs: settings.timeoutMs }), cli(args, { timeoutMs: settings.timeoutMs })]);
    const winners = runs.filter((r) => r.code === 0);
    check(winners.length === 1, () => `${winners.length} of 2 exited 0: ${runs.map((r) => `exit ${r.code}: ${tail(r.stderr, 200)}`).join(' || ')}`);
    const loser = /** @type {import('../lib/cli.mjs').Run} */ (runs.find((r) => r.code !== 0));
    // It met the winner's live lock, or (if it came after the winner had finished) the finished run.
    expectOneLineError(loser, /is in use by another vaekit train|already holds a run/, loser.code ?? -1);
    check(readFileSync(join(out, 'model.vaekit')).equals(reference_.model), "the winner's model.vaekit differs from an uninterrupted run's");
    check(readFileSync(join(out, 'metrics.jsonl')).equals(reference_.metrics), "the winner's metrics.jsonl differs from an uninterrupted run's");
    check(!existsSync(join(out, 'vaekit.lock')), 'vaekit.lock was left behind');
    return /in use/.test(loser.stderr) ? 'the loser met the live lock' : 'the loser came after the winner had finished';
  });
}
