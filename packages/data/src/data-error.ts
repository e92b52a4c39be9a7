import { brandError, hasErrorBrand } from '@vaekit/core/internal';

const DATA_ERROR = Symbol.for('vaekit.DataError');

/**
 * The one error type every loader and validator in @vaekit/data throws, so callers (the CLI above all)
 * can tell "your data is wrong, here is how to fix it" apart from a bug and print just the message.
 */
export class DataError extends Error {
  /** True for a DataError from any copy of @vaekit/data, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is DataError {
    return hasErrorBrand(value, DATA_ERROR);
  }

  override readonly name = 'DataError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brandError(this, DATA_ERROR);
  }
}
