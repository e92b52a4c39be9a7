// Runs a test cluster of worker processes inside a private network namespace whose only interface is
// loopback (`unshare -n`, then `ip link set lo up`), so TensorFlow's gRPC servers, which listen on every
// interface, are reachable from nowhere else. Needs root (CI runs as root). Without unshare the tests FAIL,
// saying why: they never skip, and never fall back to the machine's real network.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What launcher.mjs is asked to run. */
export interface LaunchSpec {
  workers: number;
  /** worker.mjs's mode: 'sums' or 'loop'. */
  mode: string;
  /** Worker i listens on 127.0.0.1:basePort+i (inside the namespace, so any free ports do). */
  basePort: number;
  /** Every worker still running then is killed. */
  deadlineMs: number;
  /** Signal this task (kill -9 by default) once it reports a step >= killAfterStep, or the event killOnEvent. */
  killTask?: number;
  killAfterStep?: number;
  killOnEvent?: string;
  /** SIGSTOP hangs the task instead; it is killed once every other task has ended. */
  killSignal?: 'SIGKILL' | 'SIGSTOP' | 'SIGTERM';
  /** Tasks listed in TF_CONFIG but never started. */
  omit?: number[];
  /** startWorker's options, for every worker. */
  options?: Record<string, unknown>;
}

export interface WorkerEvent {
  ev: string;
  at: number;
  [key: string]: unknown;
}

export interface TaskRun {
  index: number;
  events: WorkerEvent[];
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  endedAt?: number;
}

export interface ClusterRun {
  started: number;
  killedAt?: number;
  timedOut: boolean;
  tasks: TaskRun[];
}

const LAUNCHER = fileURLToPath(new URL('./launcher.mjs', import.meta.url));
const MAX_WORKERS = 4;
// Beyond the launcher's own deadline: Node's start-up, and the namespace's.
const GRACE_MS = 20_000;

/** Runs a cluster to its end (or its deadline) and returns every worker's events. */
export function runCluster(spec: LaunchSpec): Promise<ClusterRun> {
  if (!Number.isInteger(spec.workers) || spec.workers < 1 || spec.workers > MAX_WORKERS) {
    throw new RangeError(`a test cluster has 1 to ${MAX_WORKERS} workers; asked for ${spec.workers}`);
  }
  return new Promise((resolve, reject) => {
    // sh's "$0" is the spec: no quoting of JSON on a command line.
    const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$1" "$2" "$0"', JSON.stringify(spec), process.execPath, LAUNCHER], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout can kill the namespace's every process at once.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-8000)));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`the test cluster did not end within ${spec.deadlineMs + GRACE_MS} ms; killed. stderr: ${stderr}`));
    }, spec.deadlineMs + GRACE_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run \`unshare -n\` (${err.message}): these tests start TensorFlow servers only inside a private network namespace; install util-linux and run as root`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(
            `the test cluster's namespace failed (exit ${String(code)}). If \`unshare -n\` or \`ip link set lo up\` ` +
              `was refused, these tests need root and util-linux/iproute2; they never run on the real network. stderr: ${stderr}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(last) as ClusterRun);
    });
  });
}

/** The first event of a kind a task reported, or a failure describing what it did report. */
export function eventOf(task: TaskRun, ev: string): WorkerEvent {
  const found = task.events.find((e) => e.ev === ev);
  if (found === undefined) {
    throw new Error(
      `task ${task.index} reported no '${ev}' (exit ${String(task.exitCode)}, signal ${String(task.signal)}); ` +
        `events: ${JSON.stringify(task.events).slice(0, 2000)}; stderr: ${task.stderr.slice(-2000)}`,
    );
  }
  return found;
}
