import { spawn } from 'node:child_process';

/** What a child script reports as its one JSON line; each script adds its own fields. */
export interface ChildOutcome {
  readonly loaded: boolean;
  readonly error?: string;
  readonly message?: string;
  readonly maxRssBytes: number;
  readonly numTensors?: number;
}

export interface ChildLimits {
  /** The address-space ceiling (`ulimit -v`), in kilobytes. */
  readonly virtualMemoryKb: number;
  readonly timeoutMs: number;
}

/**
 * Runs `node script ...args` under a virtual-memory ceiling and a time limit, and parses the one JSON
 * line it prints. The ceiling is there so that a loader that does allocate gigabytes (the bug these
 * tests catch) fails fast on a shared machine instead of taking the machine's memory.
 */
export function runChild<T extends ChildOutcome = ChildOutcome>(script: string, args: readonly string[], limits: ChildLimits): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `ulimit -v ${limits.virtualMemoryKb} && exec "$0" "$@"`, process.execPath, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limits.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`child ${args.join(' ')} ended (code ${code}, signal ${signal}) without a report: ${stderr.slice(-2000)}`));
      }
    });
  });
}
