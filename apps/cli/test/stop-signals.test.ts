import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from './helpers/cli.js';

// Stop signals once a run's handling has ended: a process reporting how its run ended (say, an error
// naming a lost peer, sent just as `vaekit launch` sends SIGTERM to every worker) must not be killed by
// the default action before its last lines are out. Each case is its own Node process, as the CLI is.

const STOP_SIGNALS_JS = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'stop-signals.js')).href;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `body` in a fresh Node process after `handleStopSignals(...)` set up `stop`; at most 30 s. */
function runScript(body: string): Promise<Ended> {
  const script = `
    import { handleStopSignals, ABSORBED_EXIT_MS } from ${JSON.stringify(STOP_SIGNALS_JS)};
    const stop = handleStopSignals({
      first: (s) => 'first ' + s,
      second: (s) => 'second ' + s,
      write: (line) => process.stdout.write(line + '\\n'),
    });
    ${body}
  `;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the script ran over 30 s; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('stop signals after the run has ended', () => {
  it('before dispose, SIGTERM asks the run to stop', async () => {
    assertBuilt();
    const ended = await runScript(`
      stop.signal.addEventListener('abort', () => { process.stdout.write('aborted ' + stop.received + '\\n'); process.exit(stop.exitCodeWithCheckpoint()); });
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => process.exit(9), 10_000);
    `);
    expect(ended, ended.stderr).toMatchObject({ code: 143, signal: null, stdout: 'first SIGTERM\naborted SIGTERM\n' });
  });

  it('after dispose, SIGTERM and SIGINT no longer kill a process that is reporting: it ends with its own code and lines', async () => {
    const ended = await runScript(`
      stop.dispose();
      process.kill(process.pid, 'SIGTERM');
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => { process.stdout.write('error: the report, written after the signals\\n'); process.exit(1); }, 300);
    `);
    expect(ended, ended.stderr).toMatchObject({ code: 1, signal: null, stdout: 'error: the report, written after the signals\n' });
  });

  it('after dispose, a process that hangs still ends ABSORBED_EXIT_MS after an absorbed signal, with exit code 3', async () => {
    const ended = await runScript(`
      stop.dispose();
      process.stdout.write(String(ABSORBED_EXIT_MS) + '\\n');
      setInterval(() => undefined, 1_000);
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 100);
    `);
    expect(ended.signal, ended.stderr).toBeNull();
    expect(ended.code, ended.stderr).toBe(3);
    const absorbedMs = Number(ended.stdout.trim());
    expect(absorbedMs).toBeGreaterThan(0);
    expect(ended.ms).toBeGreaterThanOrEqual(absorbedMs + 100);
    expect(ended.ms).toBeLessThan(absorbedMs + 10_000);
  });

  it('a process with nothing left to do exits at once after dispose: the absorbing timer holds nothing up', async () => {
    const ended = await runScript(`
      stop.dispose();
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => process.stdout.write('done\\n'), 100);
    `);
    expect(ended, ended.stderr).toMatchObject({ code: 0, signal: null, stdout: 'done\n' });
    expect(ended.ms).toBeLessThan(4_000);
  });
});
