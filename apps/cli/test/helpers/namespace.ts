import { spawn } from 'node:child_process';
import { BIN, type Run } from './cli.js';
import { descendants, killAll } from './processes.js';

// Every command that starts TensorFlow servers runs inside a private network namespace whose only interface
// is loopback (`unshare -n`), since those servers listen on every interface: it needs root, util-linux and
// iproute2, and FAILS without them (never skips, never uses the real network).

export interface NamespaceOptions {
  /** Called with all stderr so far on every chunk, and the pid of the vaekit process in the namespace. */
  onStderr?: (stderr: string, pid: number) => void;
  /** Everything it started is killed (SIGKILL) after this long and the run fails the test. Default 180 s. */
  timeoutMs?: number;
  /** Added to the environment (e.g. a TF_CONFIG for a lone `train --distributed`). */
  env?: Readonly<Record<string, string>>;
}

export interface NamespaceRun extends Run {
  /** Date.now() when it ended. */
  endedAt: number;
}

/** `vaekit ...args` inside `unshare -n` with loopback up, to its end. */
export function inNamespace(args: readonly string[], options: NamespaceOptions = {}): Promise<NamespaceRun> {
  return new Promise((resolve, reject) => {
    // unshare and sh exec in turn, so the child's pid is vaekit's own.
    const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, BIN, ...args], {
      env: { ...process.env, CI: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timeoutMs = options.timeoutMs ?? 180_000;
    const timer = setTimeout(() => {
      // launch's workers are in their own process groups: each is killed by pid.
      if (child.pid !== undefined) killAll([...descendants(child.pid), child.pid]);
      reject(new Error(`vaekit ${args.join(' ')} in a network namespace took longer than ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (child.pid !== undefined) options.onStderr?.(stderr, child.pid);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run unshare (${error.message}): these tests start TensorFlow servers only in a private network namespace; run them as root with util-linux`));
    });
    child.on('close', (code, signal) => {
      const endedAt = Date.now();
      clearTimeout(timer);
      if (code !== null && code !== 0 && /unshare:|Operation not permitted|RTNETLINK/.test(stderr)) {
        reject(new Error(`the private network namespace was refused (needs root, util-linux and iproute2); stderr:\n${stderr}`));
        return;
      }
      resolve({ code, signal, stdout, stderr, endedAt });
    });
  });
}
