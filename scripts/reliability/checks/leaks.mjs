// 7. No tensor leaks, end to end through the library's public API: training with checkpoints written to
// files, a stop (which writes one more), a resume into a fresh model, evaluation, save and load of the
// model and of the checkpoint, disposal; twice over, on the suite's backend with compiled steps and op by
// op. Every tensor count after a round must equal the count before it. (The conformance suite checks the
// same on every backend with in-memory checkpoints; this run uses the Node file store and the CLI's
// default backend.)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '../lib/harness.mjs';
import { tail } from '../lib/cli.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'leak-child.mjs');

/**
 * @param {string[]} args
 * @param {number} timeoutMs
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function runChild(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** @param {{ suite: import('../lib/harness.mjs').Suite, tmp: string, backend: string }} ctx */
export async function run(ctx) {
  const modes = ctx.backend === 'native' ? ['auto', 'off'] : ['off'];
  for (const mode of modes) {
    await ctx.suite.case(`leaks: training with file checkpoints, a stop and a resume, evaluation, save and load leave no tensor (${ctx.backend}, compile ${mode})`, async () => {
      const folder = join(ctx.tmp, 'leaks', mode);
      mkdirSync(folder, { recursive: true });
      const result = await runChild([ctx.backend, mode, folder], 180_000);
      const line = result.stdout.trim().split('\n').pop() ?? '';
      check(result.code === 0 && line.startsWith('{'), () => `the child failed (exit ${result.code}): ${tail(result.stderr)}`);
      const r = JSON.parse(line);
      check(r.first.during === r.start, `while the trained model lived, ${r.first.during - r.start} tensor(s) beyond its weights were left (first round)`);
      check(r.afterFirst === r.start, `${r.afterFirst - r.start} tensor(s) left after the first round`);
      check(r.afterSecond === r.start, `${r.afterSecond - r.start} tensor(s) left after the second round (${r.afterSecond - r.afterFirst} by the second alone)`);
      return `${r.start} tensors before, ${r.afterFirst} and ${r.afterSecond} after the rounds (${r.backend})`;
    });
  }
}
