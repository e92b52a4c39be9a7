import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '@vaekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli as runCli, expectUserError, jsonLines, TINY, type CliOptions, type Run } from './helpers/cli.js';

const cli = (args: readonly string[], options: CliOptions = {}): Promise<Run> => runCli(args, { cwd: dir, ...options });

let dir: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-cli-controls-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const config = (run: string) => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Record<string, unknown>;
const checkpointState = async (run: string) => (await decodeCheckpoint(readFileSync(join(run, 'checkpoint.vaekit')), 'checkpoint')).state;

describe('vaekit train: learning rate, early stopping and clipping', () => {
  it('--resume --lr changes the rate, says so, and records it in config.json and the checkpoint', async () => {
    const run = join(dir, 'lr');
    const first = await cli(['train', ...TINY, '--out', run]);
    expect(first.code, first.stderr).toBe(0);

    const refused = await cli(['train', '--out', run, '--resume', '--epochs', '2', '--lr', '3e-4', '--batch-size', '64']);
    expectUserError(refused, /cannot resume with different settings: --batch-size 64 \(the run has 128\)/, 2);

    const resumed = await cli(['train', '--out', run, '--resume', '--epochs', '2', '--lr', '3e-4']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^learning rate changed from 0\.001 to 0\.0003 at step 2$/m);
    const saved = config(run);
    expect(saved['args']).toMatchObject({ lr: 3e-4, epochs: 2 });
    expect(saved['changes']).toEqual([{ step: 2, setting: 'learningRate', from: 1e-3, to: 3e-4 }]);
    const state = await checkpointState(run);
    expect(state.optimizer).toEqual({ type: 'adam', learningRate: 3e-4 });
    expect(state.changes).toEqual([{ step: 2, setting: 'learningRate', from: 1e-3, to: 3e-4 }]);
    expect(jsonLines(join(run, 'metrics.jsonl')).map((line) => line['epoch'])).toEqual([1, 2]);

    // Resuming again with the saved settings changes nothing and keeps the record.
    const again = await cli(['train', '--out', run, '--resume', '--epochs', '3']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/learning rate changed/);
    expect(config(run)['changes']).toEqual([{ step: 2, setting: 'learningRate', from: 1e-3, to: 3e-4 }]);
  });

  it('a run that met a NaN after a checkpoint says how to resume from it with a lower rate', async () => {
    const run = join(dir, 'nan');
    // A rate this large overflows the weights on the first update: the second step's loss is not finite.
    const failed = await cli(['train', ...TINY, '--out', run, '--lr', '1e30', '--checkpoint-every', '1']);
    expectUserError(
      failed,
      /non-finite loss or gradient at step 2 .* The last checkpoint \(step 1\) is intact: resume from it with a lower rate, e\.g\. vaekit train --out \S+ --resume --lr 1e-4$/,
    );
    expect((await checkpointState(run)).step).toBe(1);
  });

  it('--lr-schedule is recorded, and a resume may change it, saying from what to what', async () => {
    const run = join(dir, 'schedule');
    const first = await cli(['train', ...TINY, '--out', run, '--lr-schedule', 'cosine:warmupSteps=1', '--clip-grad-norm', '50']);
    expect(first.code, first.stderr).toBe(0);
    expect(config(run)['args']).toMatchObject({ lrSchedule: { type: 'cosine', warmupSteps: 1 }, clipGradNorm: 50 });
    const state = await checkpointState(run);
    expect(state.run.learningRateSchedule).toEqual({ type: 'cosine', warmupSteps: 1, decaySteps: 1, minLearningRate: 0 });
    expect(state.run.clipGradientNorm).toBe(50);

    const resumed = await cli(['train', '--out', run, '--resume', '--epochs', '2', '--lr-schedule', 'step:every=1,factor=0.5']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /^learning-rate schedule changed from cosine:warmupSteps=1,decaySteps=1,minLearningRate=0 to step:every=1,factor=0\.5,unit=step at step 2$/m,
    );
    expect(config(run)['changes']).toEqual([
      {
        step: 2,
        setting: 'learningRateSchedule',
        from: { type: 'cosine', warmupSteps: 1, decaySteps: 1, minLearningRate: 0 },
        to: { type: 'step', every: 1, factor: 0.5, unit: 'step' },
      },
    ]);
  });

  it('--early-stop stops when the held-out loss stops improving, keeps best.vaekit, and --restore-best ends with it', async () => {
    const run = join(dir, 'early');
    // No epoch can beat the first by 1e6 nats: the second one ends the run.
    const result = await cli(['train', ...TINY, '--epochs', '5', '--out', run, '--early-stop', '1', '--min-delta', '1e6', '--restore-best']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^stopped early after epoch 2, 4 steps: validation\.total did not improve for 1 epoch\(s\); best epoch 1 \(validation\.total [\d.]+\), kept in best\.vaekit; model\.vaekit holds the best weights \(--restore-best\)$/m,
    );
    expect(jsonLines(join(run, 'metrics.jsonl'))).toHaveLength(2);
    expect(existsSync(join(run, 'best.vaekit'))).toBe(true);
    expect(readFileSync(join(run, 'model.vaekit'))).toEqual(readFileSync(join(run, 'best.vaekit')));
    const state = await checkpointState(run);
    expect(state.earlyStopping).toMatchObject({ stopped: true, bestEpoch: 1 });

    // The run is over: a resume trains nothing more.
    const resumed = await cli(['train', '--out', run, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^stopped early after epoch 2, 4 steps/m);
    expect(jsonLines(join(run, 'metrics.jsonl'))).toHaveLength(2);
  });

  it('a cosine run with early stopping killed (-9) mid-run and resumed ends with the uninterrupted run\'s files, byte for byte', async () => {
    const flags = [...TINY, '--epochs', '4', '--checkpoint-every', '1', '--lr-schedule', 'cosine:warmupSteps=2', '--early-stop', '2', '--min-delta', '1e6', '--restore-best'];
    const whole = join(dir, 'whole');
    const straight = await cli(['train', ...flags, '--out', whole]);
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stdout).toMatch(/^stopped early after epoch 3, 6 steps/m);

    const killed = join(dir, 'killed');
    const first = await cli(['train', ...flags, '--out', killed], {
      onStderr: (stderr, child) => {
        if (/^epoch 2\/4 {2}batch 1\/2/m.test(stderr)) child.kill('SIGKILL');
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const resumed = await cli(['train', '--out', killed, '--resume', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^stopped early after epoch 3, 6 steps/m);
    for (const file of ['metrics.jsonl', 'model.vaekit', 'best.vaekit']) {
      expect(readFileSync(join(killed, file)), file).toEqual(readFileSync(join(whole, file)));
    }
    // The checkpoints differ only in wall-clock times; where the schedule and early stopping stand does not.
    const [a, b] = await Promise.all([checkpointState(killed), checkpointState(whole)]);
    expect([a.step, a.earlyStopping, a.run.learningRateSchedule]).toEqual([b.step, b.earlyStopping, b.run.learningRateSchedule]);
  });

  it('refuses bad control flags before writing anything', async () => {
    const out = join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [['--lr-schedule', 'cosine:steps=3'], /--lr-schedule: learningRateSchedule of type 'cosine' has no field 'steps'/],
      [['--lr-schedule', 'warp'], /--lr-schedule: learningRateSchedule\.type must be one of constant, step, exponential, cosine, plateau, got "warp"/],
      [['--lr-schedule', 'step:every'], /--lr-schedule field 'every' must be FIELD=VALUE/],
      [['--clip-grad-norm', '0'], /--clip-grad-norm must be a number > 0, got 0/],
      [['--early-stop', '0'], /--early-stop must be a whole number >= 1, got 0/],
      [['--restore-best'], /--restore-best needs --early-stop N/],
      [['--min-delta', '0.1'], /--min-delta needs --early-stop N/],
      [['--early-stop', '2', '--monitor', 'loss'], /--monitor must be validation\.total, validation\.reconstruction, validation\.kl or train\.total, got 'loss'/],
    ];
    for (const [flags, message] of cases) expectUserError(await cli(['train', ...TINY, '--out', out, ...flags]), message, 2);
    expect(existsSync(out)).toBe(false);
  });

  it('train --help lists the new flags', async () => {
    const help = await cli(['train', '--help']);
    for (const flag of ['--lr-schedule SPEC', '--clip-grad-norm X', '--early-stop N', '--min-delta X', '--monitor M', '--restore-best']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
