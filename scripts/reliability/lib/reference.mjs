// The uninterrupted run the kill, signal, lock and disk-full checks compare with: the same settings, and
// the bytes (model.vaekit, its weights, metrics.jsonl) every interrupted run must end with. Made once per
// --compile mode and shared by the checks.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from './harness.mjs';
import { startCli, tail } from './cli.mjs';
import { modelWeights } from './files.mjs';

/**
 * The run every trial repeats. `small` is CI's: a 784-32-(4+4) VAE on 512 MNIST digits, batch 32 (16 steps
 * an epoch), 3 epochs, a checkpoint every 3 steps. `w1` is the full 784-512-512-32 VAE of the README's
 * W1 figures, batch 128, on `--limit` digits (VAEKIT_RELIABILITY_LIMIT, default 4096: 32 steps an epoch).
 * @param {string} model
 * @param {string} backend
 * @param {Record<string, string | undefined>} env
 */
export function killRunSettings(model, backend, env) {
  if (model === 'w1') {
    const limit = env.VAEKIT_RELIABILITY_LIMIT ?? '4096';
    return {
      name: `w1 (784-512-512-32 VAE, ${limit} MNIST digits, batch 128, 2 epochs, checkpoint every 5 steps, ${backend})`,
      args: ['--limit', limit, '--batch-size', '128', '--epochs', '2', '--checkpoint-every', '5', '--backend', backend],
      timeoutMs: 900_000,
    };
  }
  if (model !== 'small') throw new Error(`VAEKIT_RELIABILITY_MODEL must be small or w1, got '${model}'`);
  return {
    name: `small (784-32-4 VAE, 512 MNIST digits, batch 32, 3 epochs, checkpoint every 3 steps, ${backend})`,
    args: ['--limit', '512', '--hidden', '32', '--latent-dim', '4', '--batch-size', '32', '--epochs', '3', '--checkpoint-every', '3', '--backend', backend],
    timeoutMs: 180_000,
  };
}

/**
 * @typedef {{ mode: string, tFirst: number, tTrain: number, model: Buffer, weights: Uint8Array, metrics: Buffer, steps: number, out: string, args: string[] }} Reference
 */

/**
 * An uninterrupted run of the settings with `--compile mode`: the bytes every trial must end with, and
 * its timing (start-up until the first progress line, then training), which scales the kill delays.
 * @param {string} out
 * @param {readonly string[]} args
 * @param {string} mode
 * @param {number} timeoutMs
 * @returns {Promise<Reference>}
 */
async function referenceRun(out, args, mode, timeoutMs) {
  let tFirst = 0;
  const started = startCli(['train', ...args, '--compile', mode, '--out', out], {
    timeoutMs,
    onStderr: (stderr) => {
      if (tFirst === 0 && /^epoch \d+\/\d+ {2}batch /m.test(stderr)) tFirst = Date.now() - started.startedAt;
    },
  });
  const run = await started.done;
  check(run.code === 0 && !run.timedOut, () => `the uninterrupted run failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${tail(run.stderr)}`);
  const done = /^done: \d+ epoch\(s\), (\d+) steps/m.exec(run.stdout);
  check(done, () => `the uninterrupted run printed no 'done:' line: ${tail(run.stdout)}`);
  const model = readFileSync(join(out, 'model.vaekit'));
  return {
    mode,
    tFirst,
    tTrain: Math.max(500, run.ms - tFirst),
    model,
    weights: await modelWeights(join(out, 'model.vaekit')),
    metrics: readFileSync(join(out, 'metrics.jsonl')),
    steps: Number(done[1]),
    out,
    args: [...args],
  };
}

/** @type {Map<string, Promise<Reference>>} */
const made = new Map();

/**
 * The reference run of this suite's settings with `--compile mode`, made on first use.
 * @param {{ tmp: string, backend: string, env: Record<string, string | undefined> }} ctx
 * @param {string} mode
 * @returns {Promise<Reference>}
 */
export function reference(ctx, mode) {
  let ref = made.get(mode);
  if (!ref) {
    const settings = killRunSettings(ctx.env.VAEKIT_RELIABILITY_MODEL ?? 'small', ctx.backend, ctx.env);
    const dir = join(ctx.tmp, 'references');
    mkdirSync(dir, { recursive: true });
    ref = referenceRun(join(dir, mode), settings.args, mode, settings.timeoutMs);
    made.set(mode, ref);
    // A failed reference is retried by the next check that needs it.
    ref.catch(() => made.delete(mode));
  }
  return ref;
}

/**
 * The kill trials' settings for this run of the suite.
 * @param {{ backend: string, env: Record<string, string | undefined> }} ctx
 */
export function runSettings(ctx) {
  return killRunSettings(ctx.env.VAEKIT_RELIABILITY_MODEL ?? 'small', ctx.backend, ctx.env);
}
