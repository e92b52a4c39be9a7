import { brandError, hasErrorBrand } from '../error-brand.js';

const CORRUPT_FILE_ERROR = Symbol.for('vaekit.CorruptFileError');

/**
 * Thrown for a file vaekit cannot trust: truncated, corrupted, crafted, foreign or of the wrong kind.
 * Its message is always one line (the CLI prints it as is), so text taken from the file is quoted with
 * `quoteUntrusted` and any line break left in a message is folded into a space.
 */
export class CorruptFileError extends Error {
  /** True for a CorruptFileError from any copy of @vaekit/core, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is CorruptFileError {
    return hasErrorBrand(value, CORRUPT_FILE_ERROR);
  }

  constructor(message: string) {
    super(message.replace(/[\r\n]+/g, ' '));
    this.name = 'CorruptFileError';
    brandError(this, CORRUPT_FILE_ERROR);
  }
}

/**
 * A value read from an untrusted file, fit for a one-line message: as JSON (control characters
 * escaped) and cut short, since a crafted file can put anything of any length there.
 */
export function quoteUntrusted(value: unknown, maxLength = 60): string {
  const cut = (text: string): string => (text.length > maxLength ? `${text.slice(0, maxLength)}...` : text);
  // A string is quoted; anything else is shown as its JSON, which already escapes what it holds.
  return typeof value === 'string' ? JSON.stringify(cut(value)) : cut(JSON.stringify(value) ?? String(value));
}
