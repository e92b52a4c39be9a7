/** The compute backends vaekit knows how to select. */
export type BackendName = 'native' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['native', 'wasm', 'webgl', 'webgpu', 'cpu'] as const);

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/** Throws a TypeError naming the valid choices; `extra` lists accepted aliases such as 'auto'. */
export function assertBackendName(value: unknown, extra: readonly string[] = []): asserts value is BackendName {
  if (isBackendName(value)) return;
  const valid = [...BACKEND_NAMES, ...extra].map((n) => `'${n}'`).join(', ');
  throw new TypeError(`Unknown backend ${JSON.stringify(value)}: valid names are ${valid}.`);
}
