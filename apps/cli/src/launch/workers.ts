import { spawn, type ChildProcess } from 'node:child_process';
import { copyPrefixed } from './prefixed-lines.js';

/** How long workers get to stop on SIGTERM once one has failed, before they are killed. */
const STOP_GRACE_MS = 20_000;

/** The TF_CONFIG of worker `index` of a cluster on these loopback ports. */
export function loopbackTfConfig(ports: readonly number[], index: number): string {
  return JSON.stringify({ cluster: { worker: ports.map((port) => `127.0.0.1:${port}`) }, task: { type: 'worker', index } });
}

/**
 * Sends `signal`, then SIGCONT: a stopped worker (SIGSTOP, Ctrl-Z, a debugger) holds every other signal
 * until it is continued, so it would sit out the whole grace period; continued, it acts on the signal.
 */
function askToStop(child: ChildProcess, signal: NodeJS.Signals): void {
  child.kill(signal);
  child.kill('SIGCONT');
}

/**
 * Runs one process per TF_CONFIG, their output prefixed `[worker i]`, until all have ended. When one fails
 * (a non-zero exit or a signal) the others are sent SIGTERM (and continued, should one be stopped), then
 * killed after a grace period, so nothing waits for a peer that is gone. SIGINT and SIGTERM given to this
 * process are passed to every worker once.
 * Resolves to 0 when every worker exits 0, else to the first failure's exit code (1 for a signal).
 */
export function runWorkers(command: string, args: readonly string[], tfConfigs: readonly string[]): Promise<number> {
  const children: ChildProcess[] = [];
  let firstFailure: number | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const running = (): ChildProcess[] => children.filter((child) => child.exitCode === null && child.signalCode === null);
  const stopOthers = (): void => {
    for (const child of running()) askToStop(child, 'SIGTERM');
    killTimer ??= setTimeout(() => {
      for (const child of running()) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
  };
  const forward = (signal: NodeJS.Signals): void => {
    for (const child of running()) askToStop(child, signal);
  };
  const onSignal = (signal: NodeJS.Signals): void => forward(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const ended = tfConfigs.map((tfConfig, index) => {
    // Its own process group: Ctrl-C in the terminal reaches only this process, which passes it on once
    // (a second SIGINT would make a worker stop without a checkpoint).
    const child = spawn(command, [...args], { env: { ...process.env, TF_CONFIG: tfConfig }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    const prefix = `[worker ${index}] `;
    const copied = Promise.all([copyPrefixed(child.stdout!, process.stdout, prefix), copyPrefixed(child.stderr!, process.stderr, prefix)]);
    return new Promise<void>((resolve) => {
      const done = (code: number, how: string): void => {
        if (code !== 0 && firstFailure === null) {
          firstFailure = code;
          process.stderr.write(`[launch] worker ${index} ended with ${how}; stopping the others\n`);
          stopOthers();
        } else if (code !== 0) {
          // How the others ended after the stop: a signal here means a worker that printed nothing more.
          void copied.then(() => process.stderr.write(`[launch] worker ${index} ended with ${how}\n`));
        }
        void copied.then(() => resolve());
      };
      child.once('error', (error) => {
        process.stderr.write(`[launch] worker ${index} could not start: ${error.message}\n`);
        done(1, '1');
      });
      child.once('exit', (code, signal) => done(signal !== null ? 1 : (code ?? 1), signal !== null ? `signal ${signal}` : String(code ?? 1)));
    });
  });
  return Promise.all(ended).then(() => {
    clearTimeout(killTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return firstFailure ?? 0;
  });
}
