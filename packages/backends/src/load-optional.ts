import { version_core } from '@tensorflow/tfjs-core';

import { BackendUnavailableError } from './errors.js';
import type { BackendName } from './names.js';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when `err` says `pkg` itself could not be resolved (not a module inside it failing). */
export function isMissingPackage(err: unknown, pkg: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = messageOf(err);
  if (!message.includes(pkg)) return false;
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /cannot find (package|module)|failed to resolve|failed to load url/i.test(message)
  );
}

/**
 * Imports an optional peer dependency. A missing package becomes a BackendUnavailableError telling the user
 * what to install (`installHint`, a plain `pnpm add` by default); any other failure is passed to `explain` (or rethrown) so it can be worded for the user.
 */
export async function importOptional<T>(
  backend: BackendName,
  pkg: string,
  load: () => Promise<T>,
  explain?: (err: unknown) => string | undefined,
  installHint = `pnpm add ${pkg}@${version_core}`,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isMissingPackage(err, pkg)) {
      throw new BackendUnavailableError(backend, `${pkg} is not installed: ${installHint}`, {
        cause: err,
      });
    }
    const reason = explain?.(err);
    if (reason) throw new BackendUnavailableError(backend, reason, { cause: err });
    throw new BackendUnavailableError(backend, `loading ${pkg} failed: ${firstLine(messageOf(err))}`, {
      cause: err,
    });
  }
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
