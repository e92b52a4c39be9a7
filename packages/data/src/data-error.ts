/**
 * The one error type every loader and validator in @vaekit/data throws, so callers (the CLI above all)
 * can tell "your data is wrong, here is how to fix it" apart from a bug and print just the message.
 */
export class DataError extends Error {
  override readonly name = 'DataError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
