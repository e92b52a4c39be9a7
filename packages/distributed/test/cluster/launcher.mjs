// @ts-check
// Starts a test cluster: N worker.mjs processes, each with its TF_CONFIG, all on loopback. Run it ONLY inside
// a private network namespace (harness.ts does, with `unshare -n`): TensorFlow's gRPC servers listen on every
// interface. Bounded: at the deadline every worker still running is killed. It can kill -9 one worker once
// that worker reports a given step, or leave tasks out, to test failures. Prints one JSON summary line last.
//   node launcher.mjs '<spec as JSON>'   (the spec: LaunchSpec in harness.ts)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** @typedef {{ workers: number, mode: string, basePort: number, deadlineMs: number, killTask?: number, killAfterStep?: number, killSignal?: 'SIGKILL' | 'SIGSTOP' | 'SIGTERM', killOnEvent?: string, omit?: number[], options?: Record<string, unknown> }} Spec */
/** @type {Spec} */
const spec = JSON.parse(process.argv[2] ?? '{}');
const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const addresses = Array.from({ length: spec.workers }, (_, i) => `127.0.0.1:${spec.basePort + i}`);
const started = Date.now();

/** @type {{ index: number, events: Record<string, unknown>[], stderr: string, exitCode: number | null, signal: string | null, endedAt?: number }[]} */
const tasks = [];
/** @type {Map<number, import('node:child_process').ChildProcess>} */
const children = new Map();
let killedAt = /** @type {number | undefined} */ (undefined);

const exits = [];
for (let index = 0; index < spec.workers; index++) {
  if (spec.omit?.includes(index)) continue;
  /** @type {(typeof tasks)[number]} */
  const task = { index, events: [], stderr: '', exitCode: null, signal: null };
  tasks.push(task);
  const child = spawn(process.execPath, [WORKER, spec.mode], {
    env: {
      ...process.env,
      TF_CONFIG: JSON.stringify({ cluster: { worker: addresses }, task: { type: 'worker', index } }),
      VAEKIT_TEST_WORKER_OPTIONS: JSON.stringify(spec.options ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(index, child);
  let pending = '';
  child.stdout?.on('data', (chunk) => {
    pending += String(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        event = { ev: 'text', line };
      }
      task.events.push(event);
      if (index === spec.killTask && event.ev === (spec.killOnEvent ?? 'step') && (event.step ?? 0) >= (spec.killAfterStep ?? 0) && killedAt === undefined) {
        child.kill(spec.killSignal ?? 'SIGKILL');
        killedAt = Date.now();
      }
    }
  });
  // Only the tail matters, and TensorFlow can log a lot.
  child.stderr?.on('data', (chunk) => {
    task.stderr = (task.stderr + String(chunk)).slice(-4000);
  });
  exits.push(
    new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        task.exitCode = code;
        task.signal = signal;
        task.endedAt = Date.now();
        resolve(undefined);
      });
    }),
  );
}

// A stopped victim never exits by itself: once every other task has ended, it is killed.
if (spec.killTask !== undefined && spec.killSignal === 'SIGSTOP') {
  const victim = children.get(spec.killTask);
  const others = tasks.filter((t) => t.index !== spec.killTask);
  const poll = setInterval(() => {
    if (others.every((t) => t.endedAt !== undefined)) {
      clearInterval(poll);
      victim?.kill('SIGKILL');
    }
  }, 100);
}

let timedOut = false;
const deadline = setTimeout(() => {
  timedOut = true;
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}, spec.deadlineMs);
await Promise.all(exits);
clearTimeout(deadline);
process.stdout.write(`${JSON.stringify({ started, killedAt, timedOut, tasks })}\n`);
