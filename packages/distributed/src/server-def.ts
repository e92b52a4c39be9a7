// tensorflow.ServerDef (tensorflow/core/protobuf/tensorflow_server.proto), the message
// TFE_EnableCollectiveOps starts a task's gRPC server from. Field numbers are TensorFlow 2.21's; the test
// compares these bytes with what TensorFlow's own Python protos serialize for the same cluster.

import { ProtoWriter } from './protobuf.js';
import type { ClusterConfig, JobName } from './tf-config.js';

/** How long the cluster waits on its members; all in milliseconds. */
export interface ServerDefOptions {
  /**
   * A task that sends no heartbeat for this long is declared lost and every other task's collectives fail
   * (TensorFlow's coordination service). It is what turns a hung peer into an error. Default 10,000.
   */
  readonly heartbeatTimeoutMs?: number;
  /** How long a task waits for the coordination leader to accept it at start-up. Default 60,000. */
  readonly registerTimeoutMs?: number;
}

/** `heartbeatTimeoutMs` when none is given: TensorFlow's own default. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;
/** `registerTimeoutMs` when none is given. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 60_000;

// ServerDef
const SERVER_CLUSTER = 1;
const SERVER_JOB_NAME = 2;
const SERVER_TASK_INDEX = 3;
const SERVER_CONFIG = 4;
const SERVER_PROTOCOL = 5;
// ClusterDef, JobDef and its map<int32, string> tasks entry
const CLUSTER_JOB = 1;
const JOB_NAME = 1;
const JOB_TASKS = 2;
const MAP_KEY = 1;
const MAP_VALUE = 2;
// ConfigProto and ConfigProto.Experimental
const CONFIG_DEVICE_FILTERS = 4;
const CONFIG_EXPERIMENTAL = 16;
const EXPERIMENTAL_COLLECTIVE_GROUP_LEADER = 1;
const EXPERIMENTAL_COORDINATION_CONFIG = 23;
// CoordinationServiceConfig and CoordinatedJob
const COORD_SERVICE_TYPE = 1;
const COORD_SERVICE_LEADER = 2;
const COORD_REGISTER_TIMEOUT = 4;
const COORD_HEARTBEAT_TIMEOUT = 5;
const COORD_JOB_LIST = 10;
const COORD_REGISTER_WITH_BARRIER = 14;
const COORD_JOB_NAME = 1;
const COORD_JOB_NUM_TASKS = 2;

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  const ms = value ?? fallback;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new RangeError(`${name} must be a whole number of milliseconds, at least 1; got ${String(value)}`);
  }
  return ms;
}

/** The serialized ServerDef for this process of the cluster, with the coordination service on. */
export function buildServerDef(config: ClusterConfig, options: ServerDefOptions = {}): Uint8Array {
  const heartbeat = positiveMs(options.heartbeatTimeoutMs, DEFAULT_HEARTBEAT_TIMEOUT_MS, 'heartbeatTimeoutMs');
  const register = positiveMs(options.registerTimeoutMs, DEFAULT_REGISTER_TIMEOUT_MS, 'registerTimeoutMs');
  // Jobs in name order, as TensorFlow's ClusterSpec writes them; "chief" < "worker".
  const jobs = (['chief', 'worker'] as const satisfies readonly JobName[])
    .map((job) => ({ job, tasks: config.tasks.filter((t) => t.job === job) }))
    .filter(({ tasks }) => tasks.length > 0);
  const { self, leader } = config;

  return new ProtoWriter()
    .message(SERVER_CLUSTER, (cluster) => {
      for (const { job, tasks } of jobs) {
        cluster.message(CLUSTER_JOB, (jobDef) => {
          jobDef.string(JOB_NAME, job);
          // A map entry's key and value are both written, default or not, as protobuf's serializers do.
          for (const task of tasks) {
            jobDef.message(JOB_TASKS, (entry) => {
              entry.uint(MAP_KEY, task.index, true);
              entry.string(MAP_VALUE, task.address);
            });
          }
        });
      }
    })
    .string(SERVER_JOB_NAME, self.job)
    .uint(SERVER_TASK_INDEX, self.index)
    .message(SERVER_CONFIG, (configProto) => {
      // Without a filter this task would also see (and could place ops on) every other task's devices.
      configProto.string(CONFIG_DEVICE_FILTERS, `/job:${self.job}/task:${self.index}`);
      configProto.message(CONFIG_EXPERIMENTAL, (experimental) => {
        experimental.string(EXPERIMENTAL_COLLECTIVE_GROUP_LEADER, leader.name);
        experimental.message(EXPERIMENTAL_COORDINATION_CONFIG, (coordination) => {
          coordination
            .string(COORD_SERVICE_TYPE, 'standalone')
            .string(COORD_SERVICE_LEADER, leader.name)
            .uint(COORD_REGISTER_TIMEOUT, register)
            .uint(COORD_HEARTBEAT_TIMEOUT, heartbeat);
          for (const { job, tasks } of jobs) {
            coordination.message(COORD_JOB_LIST, (coordinated) => {
              coordinated.string(COORD_JOB_NAME, job).uint(COORD_JOB_NUM_TASKS, tasks.length);
            });
          }
          // Registration itself waits for every task, up to the registration timeout. Without it the leader
          // registers alone and then waits, without any timeout, for the devices of tasks that never come.
          coordination.bool(COORD_REGISTER_WITH_BARRIER, true);
        });
      });
    })
    .string(SERVER_PROTOCOL, 'grpc')
    .finish();
}
