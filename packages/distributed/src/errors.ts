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

export interface DistributedErrorOptions {
  readonly cause?: unknown;
  /** What to do about it, a sentence after the summary. */
  readonly remedy?: string;
  /** TensorFlow's own words for the failure, last in the message. */
  readonly tensorflowSaid?: string;
}

/**
 * The cluster failed: a peer did not start in time, was lost, or a collective failed. TensorFlow cannot
 * run collectives again in this process after one fails, so the remedy is always to restart every worker.
 * The message is the summary, the remedy and TensorFlow's words, in that order; each is also kept apart, so
 * a caller can put its own remedy (say, the checkpoint to restart from) before TensorFlow's long text.
 */
export class DistributedError extends Error {
  /** True for a DistributedError from any copy of this package, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is DistributedError {
    return branded(value, DISTRIBUTED_ERROR);
  }

  /** The tasks found unreachable (TensorFlow names, `/job:worker/replica:0/task:1`), when any was. */
  readonly lostTasks: readonly string[];
  /** What failed, where, and which peers are lost. */
  readonly summary: string;
  /** What to do about it, or null. */
  readonly remedy: string | null;
  /** TensorFlow's own words for the failure, or null when it said nothing. */
  readonly tensorflowSaid: string | null;

  constructor(summary: string, lostTasks: readonly string[] = [], options: DistributedErrorOptions = {}) {
    const { cause, remedy, tensorflowSaid } = options;
    const parts = [summary, remedy, tensorflowSaid === undefined ? undefined : `TensorFlow said: ${tensorflowSaid}`];
    super(parts.filter((part) => part !== undefined).join(' '), cause === undefined ? undefined : { cause });
    this.name = 'DistributedError';
    this.lostTasks = lostTasks;
    this.summary = summary;
    this.remedy = remedy ?? null;
    this.tensorflowSaid = tensorflowSaid ?? null;
    Object.defineProperty(this, DISTRIBUTED_ERROR, { value: true });
  }
}
