import { brandError, hasErrorBrand } from '../error-brand.js';
import { programWideMap } from '../program-registry.js';
import { isValidClassName } from '../registry.js';
import type { SamplerDefinition } from './types.js';

// One registry per program, even if two copies of this module are loaded.
function registry(): Map<string, SamplerDefinition> {
  return programWideMap<SamplerDefinition>('vaekit.sampler-registry');
}

const UNKNOWN_SAMPLER_ERROR = Symbol.for('vaekit.UnknownSamplerError');

export class UnknownSamplerError extends Error {
  static isInstance(value: unknown): value is UnknownSamplerError {
    return hasErrorBrand(value, UNKNOWN_SAMPLER_ERROR);
  }

  constructor(readonly requested: string) {
    const known = listSamplers().map((s) => `${s.name} (${s.className})`);
    super(
      `unknown sampler '${requested}'. Registered: ${known.length ? known.join(', ') : '(none — import @vaekit/variants to register the built-in samplers)'}`,
    );
    this.name = 'UnknownSamplerError';
    brandError(this, UNKNOWN_SAMPLER_ERROR);
  }
}

/** Registers a kind of sampler under its className and its short name; both must be free. */
export function registerSampler(definition: SamplerDefinition, options: { replace?: boolean } = {}): void {
  if (!isValidClassName(definition.className)) throw new RangeError(`invalid sampler className '${definition.className}'`);
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new RangeError(`invalid sampler name '${definition.name}': lower-case letters, digits and dashes, starting with a letter`);
  }
  for (const existing of registry().values()) {
    const clash = existing.className === definition.className || existing.name === definition.name;
    if (!clash || existing === definition || options.replace) continue;
    if (definition.source !== undefined && existing.source === definition.source) return;
    const by = existing.source ? ` by ${existing.source}` : '';
    throw new Error(`a sampler named '${existing.name}' (${existing.className}) is already registered${by}`);
  }
  for (const [key, existing] of registry()) {
    if (existing.className === definition.className || existing.name === definition.name) registry().delete(key);
  }
  registry().set(definition.className, definition);
}

/** The definition registered under a className or a short name. */
export function getSampler(nameOrClassName: string): SamplerDefinition {
  const byClass = registry().get(nameOrClassName);
  if (byClass) return byClass;
  const byName = [...registry().values()].find((s) => s.name === nameOrClassName);
  if (!byName) throw new UnknownSamplerError(nameOrClassName);
  return byName;
}

export function listSamplers(): SamplerDefinition[] {
  return [...registry().values()].sort((a, b) => a.name.localeCompare(b.name));
}
