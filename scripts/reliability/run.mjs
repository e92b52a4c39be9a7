#!/usr/bin/env node
// `pnpm test:reliability`: the reliability suite of issue 16, end to end through the built CLI and library.
// See scripts/reliability/README.md for what each check does and the variables that tune it.
//
//   VAEKIT_RELIABILITY_TRIALS=20      kill -9 trials (at least this many must be interrupted and resumed)
//   VAEKIT_RELIABILITY_MODEL=small    small (CI) or w1 (the full 784-512-512-32 VAE on MNIST --limit)
//   VAEKIT_RELIABILITY_LIMIT=4096     MNIST digits for the w1 model
//   VAEKIT_RELIABILITY_COMPILE=both   --compile of the kill trials: auto, off, xla, or both (auto and off alternating)
//   VAEKIT_RELIABILITY_SEED=N         the kill plan's seed (printed on every run; random when unset)
//   VAEKIT_RELIABILITY_ONLY=a,b       run only these checks (kill9, signals, lock, disk-full, bad-input, crafted, leaks)
//   VAEKIT_RELIABILITY_JOBS=2         processes at a time in the checks that run several
//   VAEKIT_RELIABILITY_BACKEND=native the backend of the training runs
//   VAEKIT_RELIABILITY_BUDGET_S=900   no case starts after this many seconds (a safety net for a loaded machine,
//                                     not the target: the suite uses about 470 CPU seconds, 4 minutes on two idle cores)
//   VAEKIT_RELIABILITY_KEEP=1         keep the temporary folder for inspection
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Suite } from './lib/harness.mjs';
import { isBuilt, killAll, BIN } from './lib/cli.mjs';
import { unmountAll } from './lib/tmpfs.mjs';

const CHECKS = {
  kill9: () => import('./checks/kill9.mjs'),
  signals: () => import('./checks/signals.mjs'),
  lock: () => import('./checks/lock.mjs'),
  'disk-full': () => import('./checks/disk-full.mjs'),
  'bad-input': () => import('./checks/bad-input.mjs'),
  crafted: () => import('./checks/crafted.mjs'),
  leaks: () => import('./checks/leaks.mjs'),
};

const env = process.env;
const only = env.VAEKIT_RELIABILITY_ONLY ? env.VAEKIT_RELIABILITY_ONLY.split(',').map((s) => s.trim()) : Object.keys(CHECKS);
const unknown = only.filter((name) => !(name in CHECKS));
if (unknown.length > 0) {
  console.error(`VAEKIT_RELIABILITY_ONLY: unknown check(s) ${unknown.join(', ')}; the checks are ${Object.keys(CHECKS).join(', ')}`);
  process.exit(2);
}
if (!isBuilt()) {
  console.error(`build first (pnpm turbo run build --filter=@vaekit/cli...): ${BIN} is missing`);
  process.exit(2);
}
const seed = env.VAEKIT_RELIABILITY_SEED !== undefined ? Number(env.VAEKIT_RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(seed) || seed < 0) {
  console.error(`VAEKIT_RELIABILITY_SEED must be a whole number >= 0, got '${env.VAEKIT_RELIABILITY_SEED}'`);
  process.exit(2);
}
const budgetS = Number(env.VAEKIT_RELIABILITY_BUDGET_S ?? (env.VAEKIT_RELIABILITY_MODEL === 'w1' ? '7200' : '900'));
const jobs = Number(env.VAEKIT_RELIABILITY_JOBS ?? '2');
const backend = env.VAEKIT_RELIABILITY_BACKEND ?? 'native';

const tmp = mkdtempSync(join(tmpdir(), 'vaekit-reliability-'));
const suite = new Suite({ deadline: Date.now() + budgetS * 1000 });
console.log(`reliability suite: seed ${seed} (rerun with VAEKIT_RELIABILITY_SEED=${seed}), checks ${only.join(', ')}, backend ${backend}, ${jobs} jobs, budget ${budgetS} s, files in ${tmp}`);

/**
 * CPU seconds used so far by this process and the children it has waited for (Linux: /proc/self/stat,
 * in clock ticks of 1/100 s), so each check can say what it cost apart from how busy the machine was.
 */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of the stat line, 12-15 after the command name.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
  } catch {
    return Number.NaN;
  }
}

/** @type {string[]} */
const costs = [];
let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  unmountAll();
  if (env.VAEKIT_RELIABILITY_KEEP) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping the suite`);
    cleanUp();
    process.exit(130);
  });
}

try {
  for (const name of only) {
    const module = await CHECKS[/** @type {keyof typeof CHECKS} */ (name)]();
    const started = Date.now();
    const cpu = cpuSeconds();
    console.log(`\n== ${name}`);
    try {
      await module.run({ suite, tmp, seed, backend, jobs, env });
    } catch (error) {
      // A check that cannot even set itself up fails as one case.
      suite.record(`${name}: set-up`, false, Date.now() - started, error instanceof Error ? error.message : String(error));
    }
    costs.push(`${name} ${((Date.now() - started) / 1000).toFixed(0)} s (${(cpuSeconds() - cpu).toFixed(0)} CPU s)`);
  }
} finally {
  cleanUp();
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`\ntime per check: ${costs.join(', ')}; ${cpuSeconds().toFixed(0)} CPU s in all; load average now ${load}`);
suite.summary();
process.exitCode = suite.failed > 0 || suite.passed === 0 ? 1 : 0;
