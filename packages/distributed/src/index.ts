// @vaekit/distributed: synchronous data parallelism on TensorFlow's own distributed runtime (the engine of
// tf.distribute's MultiWorkerMirroredStrategy), configured by TF_CONFIG, on the native backend.
export { DistributedError, TfConfigError, type DistributedErrorOptions } from './errors.js';
export { parseTfConfig, readTfConfig, taskName } from './tf-config.js';
export type { ClusterConfig, ClusterTask, JobName } from './tf-config.js';
export { DEFAULT_HEARTBEAT_TIMEOUT_MS, DEFAULT_REGISTER_TIMEOUT_MS, buildServerDef } from './server-def.js';
export type { ServerDefOptions } from './server-def.js';
export { REDUCE_OPS } from './collective-ops.js';
export type { ReduceOp } from './collective-ops.js';
export { startWorker } from './worker.js';
export type { DistributedWorker, StartWorkerOptions, StepCollectiveOptions } from './worker.js';
export { trainingWorker } from './training.js';
export type { TrainingWorker } from './training.js';
