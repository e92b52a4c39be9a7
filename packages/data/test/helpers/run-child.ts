import { spawn } from 'node:child_process';

export interface ChildOutcome {
  readonly loaded: boolean;
  readonly pixels?: number;
  readonly error?: string;
  readonly message?: string;
  readonly maxRssBytes: number;
}

/**
 * (The same helper as core's test/helpers/run-child.ts: packages do not import each other's tests.)
 * Runs `node script ...args` under a virtual-memory ceiling and a time limit, and parses the one JSON
 * line it prints. The ceiling (ulimit -v) is there so that a loader that does allocate gigabytes (the
 * bug these tests catch) fails fast on a shared machine instead of taking the machine's memory.
 */
export function runChild(script: string, args: readonly string[], options: { virtualMemoryKb: number; timeoutMs: number }): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `ulimit -v ${options.virtualMemoryKb} && exec "$0" "$@"`, process.execPath, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildOutcome);
      } catch {
        reject(new Error(`child ${args.join(' ')} ended (code ${code}, signal ${signal}) without a report: ${stderr.slice(-2000)}`));
      }
    });
  });
}
