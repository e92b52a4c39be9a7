// TF_CONFIG, the variable Kubeflow's TFJob (and tf.distribute) uses to tell each process of a cluster who
// it is: {"cluster": {"chief": ["host:port"], "worker": ["host:port", ...]}, "task": {"type": "worker",
// "index": 1}}. Read here without touching the network, so a bad variable fails before any server starts.

import { TfConfigError } from './errors.js';

/** The jobs of a synchronous data-parallel cluster: every task computes, the chief also leads. */
export type JobName = 'chief' | 'worker';

/** One process of the cluster. */
export interface ClusterTask {
  /** Its job in TF_CONFIG's cluster. */
  readonly job: JobName;
  /** Index within its job. */
  readonly index: number;
  /** `host:port` its gRPC server listens on. */
  readonly address: string;
  /** Position in the whole cluster: the chief is 0, then the workers in order. */
  readonly rank: number;
  /** TensorFlow's name for it, `/job:worker/replica:0/task:1`. */
  readonly name: string;
}

/** A validated TF_CONFIG. */
export interface ClusterConfig {
  /** Every task, in rank order. */
  readonly tasks: readonly ClusterTask[];
  /** This process. */
  readonly self: ClusterTask;
  /** The task that leads the coordination service and the collectives: the chief, else worker 0. */
  readonly leader: ClusterTask;
}

const JOBS: readonly JobName[] = ['chief', 'worker'];
// Jobs other tf.distribute strategies use; named so the error can say why they are refused.
const OTHER_STRATEGY_JOBS = new Set(['ps', 'evaluator']);

/** TensorFlow's name for a task. */
export function taskName(job: string, index: number): string {
  return `/job:${job}/replica:0/task:${index}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// host:port, where host is a name, an IPv4 address or a bracketed IPv6 address, as gRPC takes them.
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

function checkAddress(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw new TfConfigError(`${where} must be a "host:port" string, got ${JSON.stringify(value)}`);
  }
  const match = ADDRESS.exec(value);
  const port = Number(match?.[1]);
  if (match === null || port < 1 || port > 65535) {
    throw new TfConfigError(`${where} is ${JSON.stringify(value)}, which is not "host:port" with a port from 1 to 65535`);
  }
  return value;
}

function readJob(cluster: Record<string, unknown>, job: JobName): string[] {
  const entries = cluster[job];
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) {
    throw new TfConfigError(`TF_CONFIG cluster.${job} must be an array of "host:port" strings`);
  }
  return entries.map((entry, i) => checkAddress(entry, `TF_CONFIG cluster.${job}[${i}]`));
}

function readCluster(value: unknown): ClusterTask[] {
  if (!isRecord(value)) throw new TfConfigError('TF_CONFIG has no "cluster" object');
  for (const job of Object.keys(value)) {
    if (OTHER_STRATEGY_JOBS.has(job)) {
      throw new TfConfigError(
        `TF_CONFIG cluster.${job}: vaekit trains with synchronous all-reduce, which has no "${job}" job; ` +
          'list every process as "chief" or "worker"',
      );
    }
    if (!(JOBS as readonly string[]).includes(job)) {
      throw new TfConfigError(`TF_CONFIG cluster.${job}: unknown job (vaekit takes "chief" and "worker")`);
    }
  }
  const chief = readJob(value, 'chief');
  const worker = readJob(value, 'worker');
  if (chief.length > 1) {
    throw new TfConfigError(`TF_CONFIG cluster.chief has ${chief.length} addresses; a cluster has at most one chief`);
  }
  if (chief.length + worker.length === 0) {
    throw new TfConfigError('TF_CONFIG cluster lists no task: give cluster.worker (and optionally cluster.chief)');
  }
  const tasks = [...chief.map((a, i) => ['chief', i, a] as const), ...worker.map((a, i) => ['worker', i, a] as const)].map(
    ([job, index, address], rank): ClusterTask => ({ job, index, address, rank, name: taskName(job, index) }),
  );
  const seen = new Map<string, ClusterTask>();
  for (const task of tasks) {
    const earlier = seen.get(task.address.toLowerCase());
    if (earlier !== undefined) {
      throw new TfConfigError(
        `TF_CONFIG cluster.${task.job}[${task.index}] repeats ${task.address}, the address of ` +
          `cluster.${earlier.job}[${earlier.index}]; every task needs its own`,
      );
    }
    seen.set(task.address.toLowerCase(), task);
  }
  return tasks;
}

function readIndex(value: unknown): number {
  // tf.distribute accepts the index as a number or a numeric string; so do we, but nothing looser.
  const index = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new TfConfigError(`TF_CONFIG task.index must be a whole number from 0, got ${JSON.stringify(value)}`);
  }
  return index;
}

function readSelf(value: unknown, tasks: readonly ClusterTask[]): ClusterTask {
  if (!isRecord(value)) throw new TfConfigError('TF_CONFIG has no "task" object ({"type": "worker", "index": 0})');
  const type = value['type'];
  if (typeof type !== 'string') throw new TfConfigError('TF_CONFIG task.type must be "chief" or "worker"');
  if (!(JOBS as readonly string[]).includes(type)) {
    throw new TfConfigError(`TF_CONFIG task.type is "${type}"; vaekit runs "chief" and "worker" tasks only`);
  }
  const index = readIndex(value['index']);
  const ofJob = tasks.filter((t) => t.job === type);
  const self = ofJob[index];
  if (self === undefined) {
    throw new TfConfigError(
      `TF_CONFIG task.index ${index} is out of range: cluster.${type} has ${ofJob.length} task(s)` +
        (ofJob.length > 0 ? `, indices 0 to ${ofJob.length - 1}` : ''),
    );
  }
  return self;
}

/** Parses and validates TF_CONFIG's JSON text. Throws `TfConfigError` naming the field at fault. */
export function parseTfConfig(text: string): ClusterConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TfConfigError(`TF_CONFIG is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(json)) throw new TfConfigError('TF_CONFIG must be a JSON object with "cluster" and "task"');
  const tasks = readCluster(json['cluster']);
  const self = readSelf(json['task'], tasks);
  // readCluster guarantees at least one task, and rank 0 is the chief when there is one.
  return { tasks, self, leader: tasks[0]! };
}

/**
 * Reads TF_CONFIG from an environment (`process.env` in Node). Pure: the environment is an argument.
 * Throws `TfConfigError` when it is unset or invalid, naming the field at fault.
 */
export function readTfConfig(env: Readonly<Record<string, string | undefined>>): ClusterConfig {
  const text = env['TF_CONFIG'];
  if (text === undefined || text.trim() === '') {
    throw new TfConfigError('TF_CONFIG is not set: every process of the cluster needs its cluster and task');
  }
  return parseTfConfig(text);
}
