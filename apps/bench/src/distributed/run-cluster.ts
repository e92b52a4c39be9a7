// Starts a measured cluster from the bench: the launcher and its workers run inside a private network
// namespace whose only interface is loopback, because TensorFlow's gRPC servers listen on every interface.
// Needs root, util-linux's unshare and iproute2's ip; without them the row fails, saying so.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NOISE } from '../runners.js';
import { CLUSTER_RESULT_PREFIX, type ClusterResult, type ClusterTask } from './task.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Besides a backend's usual log lines: the coordination service's, and tfjs's hint to install tfjs-node. */
const CLUSTER_NOISE = /coordination|Hi, looks like/;
const isNoise = (line: string): boolean => NOISE.test(line) || CLUSTER_NOISE.test(line);

export async function runCluster(task: ClusterTask, options: { timeoutMs: number; log: (line: string) => void }): Promise<ClusterResult> {
  const launcher = join(HERE, 'cluster-launcher.js');
  const args = ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, launcher, JSON.stringify(task), String(options.timeoutMs)];
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('unshare', args, { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // The launcher bounds its workers; this bounds the launcher.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 30_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (!isNoise(line)) options.log(`  ${line}`);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run unshare (${err.message}): the distributed bench starts TensorFlow servers only in a private network namespace (root, util-linux)`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith(CLUSTER_RESULT_PREFIX));
  if (out.code !== 0 || !line) {
    const why = out.stderr.split('\n').filter((l) => l && !isNoise(l)).slice(-3).join(' / ');
    throw new Error(`cluster of ${task.workers} exited with ${out.code ?? 'a timeout'}: ${why || 'no result'}`);
  }
  return JSON.parse(line.slice(CLUSTER_RESULT_PREFIX.length)) as ClusterResult;
}
