// Process-wide brands (not `instanceof`) recognise these errors from a second copy of the package too.
const TF_CONFIG_ERROR = Symbol.for('vaekit.TfConfigError');
const DISTRIBUTED_ERROR = Symbol.for('vaekit.DistributedError');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** TF_CONFIG is missing or wrong; the message names the field at fault. */
export class TfConfigError extends Error {
  /** True for a TfConfigError from any copy of this package, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is TfConfigError {
    return branded(value, TF_CONFIG_ERROR);
  }

  constructor(message: string) {
    super(message);
    this.name = 'TfConfigError';
    Object.defineProperty(this, TF_CONFIG_ERROR, { value: true });
  }
}

/**
 * The cluster failed: a peer did not start in time, was lost, or a collective failed. TensorFlow cannot
 * run collectives again in this process after one fails, so the remedy is always to restart every worker.
 */
export class DistributedError extends Error {
  /** True for a DistributedError from any copy of this package, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is DistributedError {
    return branded(value, DISTRIBUTED_ERROR);
  }

  /** The tasks found unreachable (TensorFlow names, `/job:worker/replica:0/task:1`), when any was. */
  readonly lostTasks: readonly string[];

  constructor(message: string, lostTasks: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DistributedError';
    this.lostTasks = lostTasks;
    Object.defineProperty(this, DISTRIBUTED_ERROR, { value: true });
  }
}
