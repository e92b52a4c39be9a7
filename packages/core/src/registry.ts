import { brandError, hasErrorBrand } from './error-brand.js';
import { programWideMap } from './program-registry.js';
import type { ModelConfig, VaeModel } from './model.js';
import type { WeightSpec } from './serialization/weight-manifest.js';

/**
 * The config fields each registered className takes, for typed `createModel` calls. Empty here: a package
 * that registers models declares theirs by augmenting it (`declare module '@vaekit/core'`), as
 * @vaekit/variants does for the built-ins, so `createModel({ className: 'Vae', latentDm: 8 })` is a
 * compile error where the package is imported.
 */
// biome-ignore lint/suspicious/noEmptyInterface: packages that register models augment it with their configs
export interface ModelConfigMap {}

/** A config as JavaScript or a file gives it: a className and fields the model checks when it is built. */
export type UntypedModelConfig = ModelConfig & { readonly [field: string]: unknown };

/**
 * The fields `createModel` takes beside className `N`: those `ModelConfigMap` declares for N, or any fields
 * for a className it does not name (or a className only known as a string, e.g. read from a file).
 */
export type ModelConfigFields<N extends string> = string extends N
  ? UntypedModelFields
  : N extends keyof ModelConfigMap
    ? ModelConfigMap[N]
    : UntypedModelFields;

/**
 * Any fields: the index signature lets an object literal's fields through, `object` a config typed as an
 * interface (which has no index signature).
 */
export type UntypedModelFields = { readonly [field: string]: unknown } | object;

/** Builds a model from its (complete or partial) config; defaults are the variant's to fill in. */
export type ModelFactory = (config: Partial<ModelConfig> & Record<string, unknown>) => VaeModel;

export interface RegisteredModel {
  readonly className: string;
  readonly description: string;
  readonly create: ModelFactory;
  /**
   * A small config (a few hundred weights on a tiny input) that exercises everything the model does:
   * what the conformance suite, gradient checks and quick tests build.
   */
  readonly testConfig: Readonly<Record<string, unknown>>;
  /**
   * The weights a model of this config would have (name, shape and dtype of each of `variables()`),
   * worked out without building it: it must create no tensor, and it throws for a config `create`
   * would refuse. Loading a file compares the file's weight list with it before the model is built, so
   * a crafted config cannot make the loader allocate more than the file really holds. Without it, a
   * loaded config only gets a sanity cap on its numbers (`LoadLimits.maxConfigInteger`).
   */
  readonly expectedWeights?: (config: { className: string } & Record<string, unknown>) => readonly WeightSpec[];
  /**
   * The package that registers the entry (e.g. '@vaekit/variants'). Two copies of one package in a program
   * (a bundler or a nested install can load both) register the same names; with the same `source` the
   * second registration is ignored and the first copy's entry stays, instead of a duplicate-name error.
   */
  readonly source?: string;
}

// One registry per program, even if two copies of this module are loaded (bundlers can do that).
function registry(): Map<string, RegisteredModel> {
  return programWideMap<RegisteredModel>('vaekit.model-registry');
}

const UNKNOWN_MODEL_ERROR = Symbol.for('vaekit.UnknownModelError');

export class UnknownModelError extends Error {
  /** True for an UnknownModelError from any copy of @vaekit/core, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is UnknownModelError {
    return hasErrorBrand(value, UNKNOWN_MODEL_ERROR);
  }

  constructor(readonly className: string) {
    const known = [...registry().keys()].sort();
    super(
      `unknown model '${className}'. Registered: ${known.length ? known.join(', ') : '(none — import @vaekit/variants to register the built-in models)'}`,
    );
    this.name = 'UnknownModelError';
    brandError(this, UNKNOWN_MODEL_ERROR);
  }
}

/**
 * Registers a model class. A className already registered by another entry is an error unless `replace`
 * is set, or both entries name the same `source` (two copies of one package), when the first one stays.
 */
export function registerModel(entry: RegisteredModel, options: { replace?: boolean } = {}): void {
  if (!isValidClassName(entry.className)) {
    throw new RangeError(`invalid className '${entry.className}'`);
  }
  const existing = registry().get(entry.className);
  if (existing && existing !== entry && !options.replace) {
    if (entry.source !== undefined && existing.source === entry.source) return;
    const by = existing.source ? ` by ${existing.source}` : '';
    throw new Error(`a model named '${entry.className}' is already registered${by}; register yours under another className`);
  }
  registry().set(entry.className, entry);
}

/** A className a model can be registered under (and so a saved config can name). */
export function isValidClassName(className: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]*$/.test(className);
}

export function getRegisteredModel(className: string): RegisteredModel {
  const entry = registry().get(className);
  if (!entry) throw new UnknownModelError(className);
  return entry;
}

export function listModels(): RegisteredModel[] {
  return [...registry().values()].sort((a, b) => a.className.localeCompare(b.className));
}

/**
 * Creates a registered model from a config carrying its className. For a className `ModelConfigMap`
 * declares, the fields are type-checked; every config is also checked when the model is built.
 */
export function createModel<N extends string>(config: { readonly className: N } & ModelConfigFields<N>): VaeModel {
  // The registered factory checks every field at run time, whatever the static type let through.
  return getRegisteredModel(config.className).create(config as UntypedModelConfig);
}
