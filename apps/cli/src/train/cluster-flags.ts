import { numberFlag } from '../args.js';
import { UsageError } from '../errors.js';

// Longer than this, a hung or missing worker would stall the cluster for more than a day before anyone is told.
const MAX_SECONDS = 86_400;

/** How long a distributed run waits on its peers, in whole milliseconds; absent: the library's defaults. */
export interface ClusterTimeouts {
  /** --heartbeat-timeout: a worker silent this long counts as lost. */
  readonly heartbeatTimeoutMs?: number;
  /** --start-timeout: how long each worker waits for all the others to join. */
  readonly startTimeoutMs?: number;
}

/**
 * One timeout flag in seconds as milliseconds. Only a --distributed run has a cluster to time out, so
 * elsewhere it is a usage error.
 */
function secondsFlag(name: string, raw: string | undefined, distributed: boolean): number | undefined {
  const seconds = numberFlag(name, raw, { exclusiveMin: 0 });
  if (seconds === undefined) return undefined;
  if (!distributed) throw new UsageError(`--${name} is for a distributed run: add --distributed, or use vaekit launch`);
  const ms = Math.round(seconds * 1000);
  if (ms < 1 || seconds > MAX_SECONDS) {
    throw new UsageError(`--${name} must be a number of seconds from 0.001 to ${MAX_SECONDS}, got ${raw}`);
  }
  return ms;
}

export function clusterTimeoutFlags(raw: { heartbeat: string | undefined; start: string | undefined }, distributed: boolean): ClusterTimeouts {
  const heartbeatTimeoutMs = secondsFlag('heartbeat-timeout', raw.heartbeat, distributed);
  const startTimeoutMs = secondsFlag('start-timeout', raw.start, distributed);
  return {
    ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs }),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
  };
}
