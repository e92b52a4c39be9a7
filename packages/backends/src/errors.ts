import type { BackendName } from './names.js';

// A process-wide brand (not `instanceof`) recognises this error from a second copy of the package too.
// Written here rather than shared with @vaekit/core, which this package does not depend on.
const BACKEND_UNAVAILABLE_ERROR = Symbol.for('vaekit.BackendUnavailableError');

/** A backend cannot run here; `reason` says why in words a user can act on. */
export class BackendUnavailableError extends Error {
  /** True for a BackendUnavailableError from any copy of @vaekit/backends, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is BackendUnavailableError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BACKEND_UNAVAILABLE_ERROR] === true;
  }

  readonly backend: BackendName;
  readonly reason: string;

  constructor(backend: BackendName, reason: string, options?: { cause?: unknown }) {
    super(`The ${backend} backend is unavailable: ${reason}`, options);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
    Object.defineProperty(this, BACKEND_UNAVAILABLE_ERROR, { value: true });
  }
}
