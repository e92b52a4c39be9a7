import { describeLikelihood, resolveConfig, type ConfigSchema, type ModelConfig, type RegisteredModel, type VaeModel } from '@vaekit/core';
import { asWeightSpecs, type PlannedWeight } from './layer-plan.js';

/** What a variant declares besides its schema and class, to be created by name, saved, loaded and certified. */
export interface VariantDefinition<C extends ModelConfig, I extends object = Partial<C>> {
  readonly description: string;
  /** The weights `variables()` would list for a resolved config, worked out without building the model. */
  readonly weights: (config: C) => PlannedWeight[];
  /** A tiny config that exercises everything the model does (what the conformance suite builds). */
  readonly testConfig: Readonly<NoInfer<I>>;
}

/**
 * A defined variant: its registry entry, and a typed factory from a partial config. `I`, the factory's
 * input, has exactly the config's fields (a config has no index signature), so a misspelt field is a
 * compile error; JavaScript callers get `resolveConfig`'s error naming the field and the real ones.
 */
export interface Variant<C extends ModelConfig, M extends VaeModel<C>, I extends object = Partial<C>> {
  readonly entry: RegisteredModel;
  readonly create: (config?: I) => M;
}

/**
 * A registry entry (register it with `registerModel`, as `register.ts` does for the built-ins) and a typed
 * `create` for the model class `Model` configured by `schema`, whose className is the registered name and
 * the class's name. Both resolve configs with the schema, so their errors are the same.
 */
export function defineVariant<C extends ModelConfig, M extends VaeModel<C>, I extends object = Partial<C>>(
  schema: ConfigSchema<C>,
  Model: new (config: C) => M,
  definition: VariantDefinition<C, I>,
): Variant<C, M, I> {
  const { weights } = definition;
  const create = (config: object = {}): M => new Model(resolveConfig(schema, config));
  return {
    create,
    entry: {
      className: schema.className,
      description: definition.description,
      create,
      expectedWeights: (config) => {
        const resolved = resolveConfig(schema, config);
        return asWeightSpecs([...weights(resolved), ...likelihoodWeights(resolved)]);
      },
      testConfig: definition.testConfig,
    },
  };
}

/** The likelihood's own weights, which `ModelBase.variables()` lists after the model's. */
function likelihoodWeights(config: ModelConfig): PlannedWeight[] {
  const likelihood = (config as { likelihood?: unknown }).likelihood;
  if (likelihood === undefined) return [];
  return describeLikelihood(likelihood).weights.map((weight) => ({ ...weight, trainable: true }));
}

/** The input and network of every built-in's test config: 12 values through one hidden layer of 10. */
export const TINY_NETWORK = { inputShape: [12], architecture: { type: 'mlp', hiddenUnits: [10] } } as const;
