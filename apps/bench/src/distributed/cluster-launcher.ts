// Runs inside a private network namespace (see run-cluster.ts): starts one cluster-worker.js per worker on
// loopback with its TF_CONFIG, passes the chief's result line on, and stops every worker when one fails
// or the time runs out.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLUSTER_RESULT_PREFIX, type ClusterTask } from './task.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A loopback port nothing listens on now (the OS picks it; it is free again once closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as ClusterTask;
  const timeoutMs = Number(process.argv[3] ?? 300_000);
  const ports: number[] = [];
  while (ports.length < task.workers) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const cluster = { worker: ports.map((port) => `127.0.0.1:${port}`) };
  const children: ChildProcess[] = [];
  const stopAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    process.stderr.write(`cluster of ${task.workers} took longer than ${timeoutMs} ms; stopping it\n`);
    stopAll();
  }, timeoutMs);
  const exits = ports.map(
    (_, index) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [join(HERE, 'cluster-worker.js'), JSON.stringify(task)], {
          env: { ...process.env, TF_CONFIG: JSON.stringify({ cluster, task: { type: 'worker', index } }) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        child.stdout?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line.startsWith(CLUSTER_RESULT_PREFIX)) process.stdout.write(`${line}\n`);
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line.trim()) process.stderr.write(`[worker ${index}] ${line}\n`);
        });
        child.on('close', (code, signal) => {
          const status = code ?? (signal ? 128 : 1);
          if (status !== 0) stopAll();
          resolve(status);
        });
      }),
  );
  const codes = await Promise.all(exits);
  clearTimeout(timer);
  const failed = codes.findIndex((code) => code !== 0);
  if (failed >= 0) {
    process.stderr.write(`worker ${failed} ended with ${codes[failed]}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
