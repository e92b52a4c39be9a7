// 5. The bad-input catalogue: each kind of bad input the fault-injection pass found (and its neighbours)
// with the one-line error it must get (exit code, one `error:` line matching a pattern, no stack trace),
// and the run folder or file it names left exactly as it was (hashed before and after).
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, pool } from '../lib/harness.mjs';
import { cli, expectOneLineError, tail } from '../lib/cli.mjs';
import { craftModel, describeChanges, fileHashes, writeNpy } from '../lib/files.mjs';
import { grayPng } from '../lib/png.mjs';
import { mountTmpfs, remountReadOnly } from '../lib/tmpfs.mjs';

/**
 * @typedef {{
 *   name: string,
 *   args: string[],
 *   pattern: RegExp,
 *   code?: number | number[],
 *   guard: string[],
 *   setup?: () => void | Promise<void>,
 *   expectStdout?: string,
 * }} BadInput
 */

/** @param {string} s */
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string, jobs: number }} ctx */
export async function run(ctx) {
  const { suite } = ctx;
  const dir = join(ctx.tmp, 'bad-input');
  mkdirSync(dir, { recursive: true });
  // The finished runs the cases start from train on the suite's backend; the cases themselves run on the
  // CPU backend, which starts faster: what they check (messages, exit codes, files) is the same on every backend.
  const setupBackend = ['--backend', ctx.backend];
  const backend = ['--backend', 'cpu'];
  const tiny = ['--limit', '256', '--hidden', '32', '--latent-dim', '4', '--batch-size', '128', '--epochs', '1'];
  const small = ['--hidden', '32', '--latent-dim', '4', '--batch-size', '16', '--epochs', '1'];
  const p = (/** @type {string} */ name) => join(dir, name);
  /** A folder that must not come to exist. */
  const never = p('never');

  // The run folders and files the cases start from, each made once.
  const made = await suite.case('bad input: set-up (a finished run on MNIST, one on an .npy file, bad files)', async () => {
    const [mnist, npy] = await Promise.all([
      cli(['train', ...tiny, ...setupBackend, '--out', p('run')], { timeoutMs: 180_000 }),
      (async () => {
        writeNpy(p('data.npy'), 40, 64, (r, c) => ((r * 7 + c) % 3 === 0 ? 1 : 0));
        return cli(['train', '--data', p('data.npy'), ...small, ...setupBackend, '--out', p('npy-run')], { timeoutMs: 180_000 });
      })(),
    ]);
    check(mnist.code === 0, () => `the MNIST run failed: ${tail(mnist.stderr)}`);
    check(npy.code === 0, () => `the .npy run failed: ${tail(npy.stderr)}`);
    writeFileSync(p('a-file'), 'not a folder');
    mkdirSync(p('foreign'));
    writeFileSync(join(p('foreign'), 'thesis.tex'), 'months of work');
    const gap = Array.from({ length: 20 }, (_, r) => Array.from({ length: 16 }, (_, c) => (r === 0 && c === 3 ? '' : String((r + c) % 2))).join(','));
    writeFileSync(p('gap.csv'), `${gap.join('\n')}\n`);
    writeFileSync(p('empty.csv'), '');
    writeNpy(p('nan.npy'), 40, 64, (r, c) => (r === 3 && c === 5 ? Number.NaN : (r + c) % 2));
    writeNpy(p('half.npy'), 40, 64, () => 0.5);
    writeNpy(p('wide.npy'), 40, 100, (r, c) => (r + c) % 2);
    mkdirSync(p('no-pngs'));
    writeFileSync(join(p('no-pngs'), 'readme.txt'), 'no pictures here');
    mkdirSync(p('mixed-pngs'));
    writeFileSync(join(p('mixed-pngs'), 'a.png'), grayPng(8, 8, (x, y) => ((x + y) % 2) * 255));
    writeFileSync(join(p('mixed-pngs'), 'b.png'), grayPng(9, 8, (x, y) => ((x + y) % 2) * 255));
    const model = join(p('run'), 'model.vaekit');
    // NaN in the first weight tensor (the first encoder kernel), a valid file otherwise.
    await craftModel(model, p('nan.vaekit'), () => {}, (w) => {
      const copy = new Uint8Array(w);
      new Float32Array(copy.buffer, 0, 784 * 32).fill(Number.NaN);
      return copy;
    });
    copyFileSync(model, p('truncated.vaekit'));
    truncateSync(p('truncated.vaekit'), Math.floor(statSync(model).size / 2));
    const flipped = readFileSync(model);
    flipped[Math.floor(flipped.length * 0.7)] ^= 0x10;
    writeFileSync(p('flipped.vaekit'), flipped);
  });
  if (!made) return;

  const run = p('run');
  const model = join(run, 'model.vaekit');
  /** A fresh copy of a finished run for a case that works on one, so the cases stay independent. */
  const copyOf = (/** @type {string} */ from, /** @type {string} */ name) => () => cpSync(from, p(name), { recursive: true });
  const resume = (/** @type {string} */ out, /** @type {string[]} */ more = []) => ['train', '--out', out, '--resume', '--epochs', '2', ...backend, ...more];
  const ro = p('ro');
  /** @type {Promise<void> | null} */
  let roMade = null;
  /**
   * A read-only disk holding a finished run, made by the first case that needs it (mounting needs root:
   * elsewhere those cases fail, saying so, and the others still run).
   */
  const readOnlyDisk = () =>
    (roMade ??= (async () => {
      mountTmpfs(ro, '16m');
      const inRo = await cli(['train', ...tiny, ...setupBackend, '--out', join(ro, 'run')], { timeoutMs: 180_000 });
      check(inRo.code === 0, () => `the run on the tmpfs failed: ${tail(inRo.stderr)}`);
      remountReadOnly(ro);
    })());

  /** @type {BadInput[]} */
  const cases = [
    // Numbers and flags.
    { name: 'negative number as a separate argument (--epochs -1)', args: ['train', '--epochs', '-1', '--out', never], code: 2, pattern: /^error: --epochs must be a whole number >= 1, got -1$/, guard: [never] },
    { name: 'negative learning rate (--lr -3)', args: ['train', '--lr', '-3', '--out', never], code: 2, pattern: /^error: --lr must be a number > 0, got -3$/, guard: [never] },
    { name: 'zero batch size (--batch-size 0)', args: ['train', '--batch-size', '0', '--out', never], code: 2, pattern: /^error: --batch-size must be a whole number >= 1, got 0$/, guard: [never] },
    { name: 'negative k (eval --k -2)', args: ['eval', '--model-file', model, '--k', '-2', ...backend], code: 2, pattern: /^error: --k must be a whole number >= 0, got -2$/, guard: [run] },
    { name: 'unknown option', args: ['train', '--epoch', '3', '--out', never], code: 2, pattern: /^error: unknown option '--epoch'/, guard: [never] },
    { name: 'unknown backend', args: ['train', '--backend', 'tpu', '--out', never], code: 2, pattern: /^error: unknown backend 'tpu'/, guard: [never] },
    { name: 'unknown model', args: ['train', '--model', 'NoSuchVAE', '--out', never], code: [1, 2], pattern: /^error: unknown model 'NoSuchVAE'/, guard: [never] },
    { name: 'unknown config field (--set bogus=1)', args: ['train', ...tiny, ...backend, '--set', 'bogus=1', '--out', never], code: 2, pattern: /^error: Vae has no config field 'bogus'/, guard: [never] },
    { name: '--resume with --force', args: ['train', '--out', run, '--resume', '--force'], code: 2, pattern: /^error: --resume and --force contradict each other/, guard: [run] },
    // --out.
    { name: '--out empty', args: ['train', ...tiny, ...backend, '--out', ''], code: 2, pattern: /^error: --out is empty/, guard: [] },
    { name: '--out a file', args: ['train', ...tiny, ...backend, '--out', p('a-file')], pattern: /^error: --out .*a-file is a file, not a folder/, guard: [p('a-file')] },
    { name: '--out under a file', args: ['train', ...tiny, ...backend, '--out', join(p('a-file'), 'run')], pattern: /a-file.*(a part of the path is a file, not a folder|is a file, not a folder)/, guard: [p('a-file')] },
    { name: '--out on /proc (used to hang)', args: ['train', ...tiny, ...backend, '--out', '/proc/vaekit-reliability'], pattern: /cannot hold a run: \/proc is a view of the kernel, not storage/, guard: [] },
    { name: '--out holding a finished run, without --resume', args: ['train', ...tiny, ...backend, '--out', p('c-holds')], setup: copyOf(run, 'c-holds'), code: 2, pattern: /already holds a run: pass --resume to continue it, --force to start over/, guard: [p('c-holds')] },
    { name: "--out holding someone else's files", args: ['train', ...tiny, ...backend, '--out', p('foreign')], code: 2, pattern: /already holds files that are not a vaekit run \(thesis\.tex\)/, guard: [p('foreign')] },
    { name: 'sample --out in a missing folder', args: ['sample', '--model-file', model, '--out', join(p('missing'), 'x.png'), ...backend], pattern: /missing\/x\.png: the folder .*missing does not exist/, guard: [p('missing'), run] },
    { name: 'reconstruct --out a folder', args: ['reconstruct', '--model-file', model, '--out', p('foreign'), '--n', '4', ...backend], pattern: /^error: --out .*foreign is a folder; give the PNG file to write/, guard: [p('foreign'), run] },
    // Resuming.
    { name: '--resume of a folder that does not exist', args: ['train', '--out', never, '--resume'], code: [1, 2], pattern: /no run to resume in .*never/, guard: [never] },
    { name: '--resume with different settings (--free-bits)', args: resume(p('c-free-bits'), ['--free-bits', '0.5']), setup: copyOf(run, 'c-free-bits'), code: 2, pattern: /^error: cannot resume with different settings: --free-bits 0\.5 \(the run has 0\)/, guard: [p('c-free-bits')] },
    { name: 'config.json holding {}', args: resume(p('c-empty-config')), setup: () => (copyOf(run, 'c-empty-config')(), writeFileSync(join(p('c-empty-config'), 'config.json'), '{}')), pattern: /config\.json is damaged \(it has no 'args'/, guard: [p('c-empty-config')] },
    { name: 'config.json not JSON', args: resume(p('c-garbage-config')), setup: () => (copyOf(run, 'c-garbage-config')(), writeFileSync(join(p('c-garbage-config'), 'config.json'), '\u0000garbage')), pattern: /config\.json is damaged: it is not valid JSON/, guard: [p('c-garbage-config')] },
    { name: 'a truncated checkpoint', args: resume(p('c-trunc-ckpt')), setup: () => (copyOf(run, 'c-trunc-ckpt')(), truncateSync(join(p('c-trunc-ckpt'), 'checkpoint.vaekit'), 3000)), pattern: /checkpoint\.vaekit.*(truncated|corrupt)/i, guard: [p('c-trunc-ckpt')] },
    {
      name: 'a checkpoint with one flipped bit',
      args: resume(p('c-flip-ckpt')),
      setup: () => {
        copyOf(run, 'c-flip-ckpt')();
        const path = join(p('c-flip-ckpt'), 'checkpoint.vaekit');
        const bytes = readFileSync(path);
        bytes[Math.floor(bytes.length / 3)] ^= 0x01;
        writeFileSync(path, bytes);
      },
      pattern: /checkpoint\.vaekit.*(checksum|corrupt)/i,
      guard: [p('c-flip-ckpt')],
    },
    {
      name: 'the data file replaced by another of the same length before a resume',
      args: resume(p('c-data-swapped')),
      setup: () => {
        copyOf(p('npy-run'), 'c-data-swapped')();
        const config = JSON.parse(readFileSync(join(p('c-data-swapped'), 'config.json'), 'utf8'));
        // The run's own data file, then replaced by other rows of the same shape.
        const data = p('c-data-swapped.npy');
        copyFileSync(p('data.npy'), data);
        config.args.data = data;
        writeNpy(data, 40, 64, (r, c) => ((r * 5 + c) % 3 === 0 ? 1 : 0));
        writeFileSync(join(p('c-data-swapped'), 'config.json'), `${JSON.stringify(config, null, 2)}\n`); // as the CLI writes it
      },
      pattern: /cannot resume from .*checkpoint\.vaekit: it was written with data .* \(now /,
      guard: [p('c-data-swapped')],
    },
    { name: 'an empty checkpoint file', args: resume(p('c-empty-ckpt')), setup: () => (copyOf(run, 'c-empty-ckpt')(), writeFileSync(join(p('c-empty-ckpt'), 'checkpoint.vaekit'), '')), pattern: /checkpoint\.vaekit.*(truncated|corrupt|empty)/i, guard: [p('c-empty-ckpt')] },
    {
      name: 'a run stopped before its first checkpoint, with --resume',
      args: resume(p('c-no-ckpt')),
      setup: () => (copyOf(run, 'c-no-ckpt')(), rmSync(join(p('c-no-ckpt'), 'checkpoint.vaekit'))),
      pattern: /holds a run that stopped before its first checkpoint, so there is nothing to resume: rerun without --resume to start it over/,
      guard: [p('c-no-ckpt')],
    },
    // Data.
    { name: 'a CSV whose first row has an empty field', args: ['train', ...small, ...backend, '--data', p('gap.csv'), '--out', never], pattern: /gap\.csv line 1, column 4: '' is not a number/, guard: [never] },
    { name: 'an empty CSV', args: ['train', ...small, ...backend, '--data', p('empty.csv'), '--out', never], pattern: /empty\.csv is empty/, guard: [never] },
    { name: 'NaN in the data', args: ['train', ...small, ...backend, '--data', p('nan.npy'), '--out', never], pattern: /nan\.npy has a non-finite value \(NaN\)/, guard: [never] },
    { name: 'values a Bernoulli likelihood cannot model', args: ['train', ...small, ...backend, '--data', p('half.npy'), '--out', never], pattern: /half\.npy has a value that is not 0 or 1/, guard: [never] },
    { name: 'a data file that does not exist', args: ['train', ...small, ...backend, '--data', p('nope.npy'), '--out', never], code: [1, 2], pattern: /nope\.npy.*(no such file|does not exist|not found)/i, guard: [never] },
    { name: 'a device as --data', args: ['train', ...small, ...backend, '--data', '/dev/zero', '--out', never], pattern: /--data \/dev\/zero is not a regular file or a folder/, guard: [never] },
    { name: 'a folder without PNGs as --data', args: ['train', ...small, ...backend, '--data', p('no-pngs'), '--out', never], pattern: /no-pngs holds no \.png files/, guard: [never] },
    { name: 'a folder of PNGs of two sizes', args: ['train', ...small, ...backend, '--data', p('mixed-pngs'), '--out', never], pattern: /(8x8|9x8|size)/, guard: [never] },
    { name: 'eval on data of the wrong shape', args: ['eval', '--model-file', join(p('npy-run'), 'model.vaekit'), '--data', p('wide.npy'), '--k', '2', ...backend], pattern: /shape \[64\].*\[100\]|\[100\].*\[64\]/, guard: [p('npy-run')] },
    // Model files.
    { name: 'a folder as a model file', args: ['eval', '--model-file', run, ...backend], pattern: new RegExp(`--model-file ${escapeRegExp(run)} is a folder, not a model file; use ${escapeRegExp(model)}$`), guard: [run] },
    { name: 'a model file that does not exist', args: ['eval', '--model-file', p('nope.vaekit'), ...backend], code: [1, 2], pattern: /no model file at .*nope\.vaekit/, guard: [] },
    { name: 'a device as a model file', args: ['sample', '--model-file', '/dev/zero', '--out', p('never.png'), ...backend], pattern: /--model-file \/dev\/zero is not a regular file/, guard: [p('never.png')] },
    { name: 'a truncated model file', args: ['eval', '--model-file', p('truncated.vaekit'), '--k', '2', ...backend], pattern: /truncated\.vaekit.*(truncated|corrupt)/i, guard: [p('truncated.vaekit')] },
    { name: 'a model file with one flipped bit', args: ['eval', '--model-file', p('flipped.vaekit'), '--k', '2', ...backend], pattern: /flipped\.vaekit.*(checksum|corrupt)/i, guard: [p('flipped.vaekit')] },
    { name: 'a checkpoint given as the model file', args: ['eval', '--model-file', join(run, 'checkpoint.vaekit'), '--k', '2', ...backend], pattern: /checkpoint\.vaekit holds a "vaekit-checkpoint", expected a 'vaekit-model'/, guard: [run] },
    { name: 'NaN weights in eval', args: ['eval', '--model-file', p('nan.vaekit'), '--k', '2', '--limit', '16', ...backend], pattern: /nan\.vaekit has [\d,]+ of [\d,]+ weights that are not finite \(NaN or Inf\), so every figure would be NaN/, guard: [p('nan.vaekit')], expectStdout: '' },
    // A read-only file system.
    { name: 'read-only disk: --resume', setup: readOnlyDisk, args: resume(join(ro, 'run')), pattern: new RegExp(`cannot create the lock file ${escapeRegExp(join(ro, 'run', 'vaekit.lock'))}: the file system is read-only \\(EROFS\\); use a writable folder$`), guard: [ro] },
    { name: 'read-only disk: a new run', setup: readOnlyDisk, args: ['train', ...tiny, ...backend, '--out', join(ro, 'new', 'run')], pattern: new RegExp(`cannot create the folder ${escapeRegExp(join(ro, 'new'))}: the file system is read-only \\(EROFS\\)`), guard: [ro] },
    { name: 'read-only disk: sample --out', setup: readOnlyDisk, args: ['sample', '--model-file', join(ro, 'run', 'model.vaekit'), '--out', join(ro, 'samples.png'), ...backend], pattern: /samples\.png.*read-only \(EROFS\)/, guard: [ro] },
  ];

  await pool(cases, ctx.jobs, async (c) => {
    await suite.case(`bad input: ${c.name}`, async () => {
      await c.setup?.();
      const before = c.guard.map((g) => /** @type {const} */ ([g, fileHashes(g)]));
      const result = await cli(c.args, { timeoutMs: 60_000 });
      const codes = Array.isArray(c.code) ? c.code : [c.code ?? 1];
      expectOneLineError(result, c.pattern, codes.includes(result.code ?? -1) ? (result.code ?? -1) : codes[0]);
      const changes = before.map(([path, hashes]) => [path, describeChanges(hashes, fileHashes(path))]).filter(([, what]) => what !== '');
      check(changes.length === 0, () => `refused as expected, but it changed what it was given: ${changes.map(([path, what]) => `${path}: ${what}`).join('; ')}`);
      if (c.expectStdout !== undefined) check(result.stdout === c.expectStdout, () => `stdout should be empty, got: ${tail(result.stdout, 200)}`);
      return `exit ${result.code}`;
    });
  });

  // Not an error: a warning line, and the picture is still written.
  await suite.case('bad input: NaN weights in sample warn in one line (exit 0)', async () => {
    const out = p('nan-samples.png');
    const result = await cli(['sample', '--model-file', p('nan.vaekit'), '--n', '8', '--out', out, ...backend], { timeoutMs: 60_000 });
    check(result.code === 0, () => `exit ${result.code}: ${tail(result.stderr)}`);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    check(warnings.length === 1 && /weights that are not finite \(NaN or Inf\); its output is not meaningful/.test(/** @type {string} */ (warnings[0])), () => `expected one warning line about non-finite weights: ${tail(result.stderr)}`);
    check(!/\n\s+at /.test(result.stderr), 'a stack trace was printed');
  });
}
