import { rejectUnknownFields } from '../config-schema.js';
import { brandError, hasErrorBrand } from '../error-brand.js';
import { programWideMap } from '../program-registry.js';
import { bernoulliDefinition } from './bernoulli.js';
import { continuousBernoulliDefinition } from './continuous-bernoulli.js';
import { discretizedLogisticDefinition } from './discretized-logistic.js';
import { gaussianDefinition } from './gaussian.js';
import { laplaceDefinition } from './laplace.js';
import { checkSupport } from './support.js';
import type { Likelihood, LikelihoodConfig, LikelihoodDefinition, LikelihoodDescription } from './types.js';

const BUILT_IN: readonly LikelihoodDefinition[] = [
  bernoulliDefinition,
  gaussianDefinition,
  laplaceDefinition,
  continuousBernoulliDefinition,
  discretizedLogisticDefinition,
].map((definition) => ({ ...definition, source: '@vaekit/core' }));

// One registry per program, even when a bundler loads two copies of core.
function registry(): Map<string, LikelihoodDefinition> {
  return programWideMap('vaekit.likelihood-registry', () => BUILT_IN.map((definition) => [definition.type, definition] as const));
}

const UNKNOWN_LIKELIHOOD_ERROR = Symbol.for('vaekit.UnknownLikelihoodError');

export class UnknownLikelihoodError extends Error {
  /** True for an UnknownLikelihoodError from any copy of @vaekit/core. */
  static isInstance(value: unknown): value is UnknownLikelihoodError {
    return hasErrorBrand(value, UNKNOWN_LIKELIHOOD_ERROR);
  }

  constructor(readonly type: string) {
    super(`unknown likelihood '${type}'. Registered: ${[...registry().keys()].sort().join(', ')}`);
    this.name = 'UnknownLikelihoodError';
    brandError(this, UNKNOWN_LIKELIHOOD_ERROR);
  }
}

export interface RegisterLikelihoodOptions {
  /** Replace an existing registration of the same type instead of failing. */
  readonly replace?: boolean;
}

/**
 * Makes a likelihood available to every model by its `type`: model configs name it
 * (`likelihood: { type, ...fields }`), saved models record it, and the CLI's `--likelihood` selects it.
 */
export function registerLikelihood(definition: LikelihoodDefinition, options: RegisterLikelihoodOptions = {}): void {
  if (typeof definition.type !== 'string' || !/^[a-z][a-z0-9-]*$/.test(definition.type)) {
    throw new RangeError(`a likelihood type must be lower-case letters, digits and '-', got ${JSON.stringify(definition.type)}`);
  }
  if ('type' in definition.fields) throw new RangeError(`likelihood '${definition.type}': 'type' is reserved and cannot be a field`);
  const existing = registry().get(definition.type);
  if (existing && !options.replace) {
    if (existing.source !== undefined && existing.source === definition.source) return;
    throw new Error(
      `likelihood '${definition.type}' is already registered${existing.source ? ` by ${existing.source}` : ''}; pass { replace: true } to replace it`,
    );
  }
  registry().set(definition.type, definition);
}

/** Every registered likelihood, sorted by type. */
export function listLikelihoods(): LikelihoodDefinition[] {
  return [...registry().values()].sort((a, b) => a.type.localeCompare(b.type));
}

export function getLikelihoodDefinition(type: string): LikelihoodDefinition {
  const definition = registry().get(type);
  if (!definition) throw new UnknownLikelihoodError(type);
  return definition;
}

/**
 * The complete config for a partial one (`{ type }` plus any fields): defaults filled, every field
 * checked, unknown fields refused with the likelihood's real fields named.
 */
export function resolveLikelihoodConfig(config: unknown): LikelihoodConfig {
  const type = (config as { type?: unknown } | null | undefined)?.type;
  if (typeof type !== 'string') {
    throw new RangeError(`a likelihood config needs a type, one of ${[...registry().keys()].sort().join(', ')}; got ${JSON.stringify(config)}`);
  }
  const definition = getLikelihoodDefinition(type);
  const given = Object.fromEntries(Object.entries(config as object).filter(([key, value]) => key !== 'type' && value !== undefined));
  const label = `likelihood '${type}'`;
  rejectUnknownFields(label, given, Object.keys(definition.fields));
  const resolved: Record<string, unknown> = { type };
  for (const [name, field] of Object.entries(definition.fields)) {
    const value = name in given ? given[name] : structuredClone(field.default);
    resolved[name] = field.check(value, (message, subfield = '') => {
      throw new RangeError(`${label}: ${name}${subfield} ${message}`);
    });
  }
  return resolved as LikelihoodConfig;
}

/** What a likelihood of this config is (support, parameters per value, own weights), creating no tensor. */
export function describeLikelihood(config: unknown): LikelihoodDescription {
  const resolved = resolveLikelihoodConfig(config);
  return getLikelihoodDefinition(resolved.type).describe(resolved);
}

/** A likelihood of this config, with its own weights (if any) created; the caller disposes it. */
export function createLikelihood(config: unknown): Likelihood {
  const resolved = resolveLikelihoodConfig(config);
  return getLikelihoodDefinition(resolved.type).create(resolved);
}

/**
 * The first reason `values` cannot be modelled by the likelihood of `config` (outside its support, or
 * failing its own data check), or undefined when they can.
 */
export function checkLikelihoodData(config: unknown, values: ArrayLike<number>): string | undefined {
  const resolved = resolveLikelihoodConfig(config);
  const definition = getLikelihoodDefinition(resolved.type);
  return checkSupport(definition.describe(resolved).support, values) ?? definition.checkData?.(values);
}
