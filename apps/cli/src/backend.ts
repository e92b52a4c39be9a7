import { isBackendName, useBackend, type BackendInfo, type BackendName } from '@vaekit/backends';
import { UsageError } from './errors.js';

/**
 * What `--backend` accepts. webgl and webgpu are left out on purpose: they need a browser, and
 * `vaekit backends` says so.
 */
export const BACKEND_CHOICES = ['auto', 'native', 'wasm', 'cpu'] as const;

/** One line per backend: `wasm (WebAssembly SIMD, 1 thread)`. */
export function describeBackend(info: BackendInfo): string {
  return `${info.name} (${info.runtime}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}

/**
 * Selects the compute backend before anything touches a tensor, and prints which one runs. The name is
 * checked here so a typo is a usage error naming the choices, not a failure deep inside tfjs.
 */
export async function selectBackend(name: string, options: { quiet?: boolean } = {}): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}': use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const info = await useBackend(isBackendName(name) ? (name as BackendName) : 'auto');
  if (!options.quiet) process.stderr.write(`backend: ${describeBackend(info)}\n`);
  return info;
}
