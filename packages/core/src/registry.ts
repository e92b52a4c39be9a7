import type { ModelConfig, VaeModel } from './model.js';
import type { WeightSpec } from './serialization/weight-manifest.js';

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
   * Brings a config read from a saved model file up to date before the model is built. A file stores
   * its model's whole config, so a field missing from it was added after the file was written; when
   * such a field's default has changed from what the model did before, this says what the old
   * behaviour was (e.g. `{ ...saved, batchNorm: false }`). Without it the saved config is used as is.
   */
  readonly upgradeSavedConfig?: (saved: { className: string } & Record<string, unknown>) => { className: string } & Record<string, unknown>;
  /**
   * The weights a model of this config would have (name, shape and dtype of each of `variables()`),
   * worked out without building it: it must create no tensor, and it throws for a config `create`
   * would refuse. Loading a file compares the file's weight list with it before the model is built, so
   * a crafted config cannot make the loader allocate more than the file really holds. Without it, a
   * loaded config only gets a sanity cap on its numbers (`LoadLimits.maxConfigInteger`).
   */
  readonly expectedWeights?: (config: { className: string } & Record<string, unknown>) => readonly WeightSpec[];
}

// One registry per program, even if two copies of this module are loaded (bundlers can do that):
// the map lives on globalThis under a symbol.
const REGISTRY_KEY = Symbol.for('vaekit.model-registry');
type RegistryHolder = { [REGISTRY_KEY]?: Map<string, RegisteredModel> };

function registry(): Map<string, RegisteredModel> {
  const holder = globalThis as RegistryHolder;
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

export class UnknownModelError extends Error {
  constructor(readonly className: string) {
    const known = [...registry().keys()].sort();
    super(
      `unknown model '${className}'. Registered: ${known.length ? known.join(', ') : '(none — import @vaekit/variants to register the built-in models)'}`,
    );
    this.name = 'UnknownModelError';
  }
}

/** Registers a model class; registering the same className twice replaces it only with `replace`. */
export function registerModel(entry: RegisteredModel, options: { replace?: boolean } = {}): void {
  if (!isValidClassName(entry.className)) {
    throw new RangeError(`invalid className '${entry.className}'`);
  }
  const existing = registry().get(entry.className);
  if (existing && existing !== entry && !options.replace) {
    throw new Error(`a model named '${entry.className}' is already registered`);
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

/** Creates a registered model from a config carrying its className. */
export function createModel(config: { className: string } & Record<string, unknown>): VaeModel {
  return getRegisteredModel(config.className).create(config);
}
