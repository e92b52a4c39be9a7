// Peak memory of a CLI run: the process runs under /usr/bin/time -v, whose "Maximum resident set size" is
// the kernel's own high-water mark for it (wait4's ru_maxrss), so no peak between two samples is missed.
// A watchdog also samples the process and kills it past a ceiling, so a loader that does allocate
// gigabytes (the bug these checks catch) fails fast instead of taking a shared machine's memory.
import { existsSync, readFileSync } from 'node:fs';
import { BIN, startCli } from './cli.mjs';
import { CheckFailure } from './harness.mjs';

const TIME = '/usr/bin/time';

/**
 * @typedef {import('./cli.mjs').Run & { peakBytes: number, killedForMemory: boolean }} MeasuredRun
 */

/**
 * Runs `vaekit ...args` under /usr/bin/time -v; the CLI's own stderr comes back without time's report.
 * @param {readonly string[]} args
 * @param {{ timeoutMs: number, ceilingBytes: number }} options
 * @returns {Promise<MeasuredRun>}
 */
export async function measuredCli(args, options) {
  if (!existsSync(TIME)) throw new CheckFailure(`${TIME} is missing: install GNU time (apt-get install time) to measure peak memory`);
  const started = startCli(args, { timeoutMs: options.timeoutMs, command: [TIME, '-v', process.execPath, BIN] });
  let killedForMemory = false;
  const timePid = started.child.pid;
  const watchdog = setInterval(() => {
    // The node process is time's only child.
    try {
      const children = readFileSync(`/proc/${timePid}/task/${timePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
        if (rss > options.ceilingBytes) {
          killedForMemory = true;
          process.kill(Number(pid), 'SIGKILL');
        }
      }
    } catch {
      // Not started yet, or gone.
    }
  }, 50);
  const run = await started.done.finally(() => clearInterval(watchdog));
  const at = run.stderr.indexOf('\tCommand being timed:');
  const report = at >= 0 ? run.stderr.slice(at) : '';
  let stderr = at >= 0 ? run.stderr.slice(0, at) : run.stderr;
  // time says so when the command died of a signal; that line is time's, not the CLI's.
  stderr = stderr.replace(/^Command (terminated by signal \d+|exited with non-zero status \d+)\n/m, '');
  const peakKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
  if (peakKb === undefined) throw new CheckFailure(`no peak memory from ${TIME} -v (exit ${run.code}): ${run.stderr.slice(-400)}`);
  return { ...run, stderr, peakBytes: Number(peakKb) * 1024, killedForMemory };
}
