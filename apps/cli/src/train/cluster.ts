import type { BackendInfo } from '@vaekit/backends';
import { readTfConfig, startWorker, TfConfigError, trainingWorker, type ClusterConfig, type TrainingWorker } from '@vaekit/distributed';
import { UsageError } from '../errors.js';
import type { ClusterTimeouts } from './cluster-flags.js';

/** The cluster a --distributed run joins, and how long it waits on its peers. */
export interface ClusterPlan {
  readonly config: ClusterConfig;
  readonly timeouts: ClusterTimeouts;
}

/** This process's task in the cluster TF_CONFIG describes (--distributed); a missing or bad one is a usage error. */
export function clusterFromEnvironment(
  timeouts: ClusterTimeouts,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClusterPlan {
  try {
    const config = readTfConfig(env);
    return { config, timeouts };
  } catch (error) {
    if (!TfConfigError.isInstance(error)) throw error;
    throw new UsageError(
      `--distributed: ${error.message}. Set TF_CONFIG in every worker, e.g. ` +
        `TF_CONFIG='{"cluster":{"worker":["host0:2222","host1:2222"]},"task":{"type":"worker","index":0}}', ` +
        'or try it on this machine with `vaekit launch --workers 2 -- train ...`',
    );
  }
}

/**
 * Joins the cluster once this worker is ready to train, so the peers' start-up wait covers only the time
 * the slowest one takes to load its data. TensorFlow's collectives run on the native backend only.
 */
export function joinCluster(cluster: ClusterPlan, backend: BackendInfo): TrainingWorker {
  if (backend.name !== 'native') {
    throw new UsageError(`--distributed needs the native backend (TensorFlow's distributed runtime); this run uses ${backend.name}`);
  }
  return trainingWorker(startWorker(cluster.config, cluster.timeouts));
}
