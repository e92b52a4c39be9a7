import { numberFlag } from '../args.js';
import { UsageError } from '../errors.js';

// Longer than this, a hung worker would stall the cluster for more than a day before anyone is told.
const MAX_SECONDS = 86_400;

/**
 * --heartbeat-timeout SECONDS as whole milliseconds for the ServerDef; absent gives undefined (TensorFlow's
 * default). Only a --distributed run has a cluster to time out, so elsewhere it is a usage error.
 */
export function heartbeatTimeoutFlag(raw: string | undefined, distributed: boolean): number | undefined {
  const seconds = numberFlag('heartbeat-timeout', raw, { exclusiveMin: 0 });
  if (seconds === undefined) return undefined;
  if (!distributed) throw new UsageError('--heartbeat-timeout is for a distributed run: add --distributed, or use vaekit launch');
  const ms = Math.round(seconds * 1000);
  if (ms < 1 || seconds > MAX_SECONDS) {
    throw new UsageError(`--heartbeat-timeout must be a number of seconds from 0.001 to ${MAX_SECONDS}, got ${raw}`);
  }
  return ms;
}
