import type { BackendName } from './names.js';

/** A backend cannot run here; `reason` says why in words a user can act on. */
export class BackendUnavailableError extends Error {
  readonly backend: BackendName;
  readonly reason: string;

  constructor(backend: BackendName, reason: string, options?: { cause?: unknown }) {
    super(`The ${backend} backend is unavailable: ${reason}`, options);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
  }
}
