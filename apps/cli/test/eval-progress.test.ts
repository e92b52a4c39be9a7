import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, TINY } from './helpers/cli.js';

// `vaekit eval` as a user runs it, in a child process with piped (non-terminal) output and CI=1: its
// progress is plain lines on stderr, one per tenth of the data, and stdout holds only the report.
let dir: string;
let model: string;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-eval-progress-'));
  const trained = await cli(['train', ...TINY, '--out', join(dir, 'run')], { cwd: dir });
  expect(trained.code, trained.stderr).toBe(0);
  model = join(dir, 'run', 'model.vaekit');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vaekit eval progress', () => {
  it('prints a line with the ETA for each tenth of the examples on stderr, and nothing but the report on stdout', async () => {
    // 80 examples in batches of 8: ten updates, each crossing a tenth.
    const args = ['eval', '--model-file', model, '--k', '64', '--limit', '80', '--batch-size', '8', '--backend', 'cpu'];
    const run = await cli(args, { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('evaluating (k=64) '));
    expect(lines.map((line) => line.match(/^evaluating \(k=64\) (\d+)\/80 \(\d+%\) {2}ETA (\d+s|\d+m\d\ds) {2}\S+ ex\/s$/)?.[1])).toEqual(
      ['8', '16', '24', '32', '40', '48', '56', '64', '72', '80'],
    );
    expect(lines.at(-1)).toContain(' (100%)  ETA 0s  ');
    expect(run.stderr).not.toContain('\r');
    expect(run.stdout).not.toMatch(/evaluating|ETA/);
    expect(run.stdout.split('\n')[0]).toMatch(/^model\s+Vae$/);
    expect(run.stdout).toMatch(/IWAE NLL \(k=64\)\s+\d+\.\d+ nats/);
  }, 150_000);

  it('with --json prints no progress at all', async () => {
    const run = await cli(['eval', '--model-file', model, '--k', '8', '--limit', '16', '--batch-size', '8', '--backend', 'cpu', '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as { examples: number }).examples).toBe(16);
  });
});
