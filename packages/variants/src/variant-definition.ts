import { resolveConfig, type ConfigSchema, type ModelConfig, type RegisteredModel, type VaeModel } from '@vaekit/core';
import { asWeightSpecs, type PlannedWeight } from './layer-plan.js';

/** What a variant declares besides its schema and class, to be created by name, saved, loaded and certified. */
export interface VariantDefinition<C extends ModelConfig> {
  readonly description: string;
  /** The weights `variables()` would list for a resolved config, worked out without building the model. */
  readonly weights: (config: C) => PlannedWeight[];
  /** A tiny config that exercises everything the model does (what the conformance suite builds). */
  readonly testConfig: Readonly<Record<string, unknown>>;
}

/** A defined variant: its registry entry, and a typed factory from a partial config. */
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
  definition: VariantDefinition<C>,
): Variant<C, M, I> {
  const { weights } = definition;
  const create = (config: object = {}): M => new Model(resolveConfig(schema, config));
  return {
    create,
    entry: {
      className: schema.className,
      description: definition.description,
      create,
      expectedWeights: (config) => asWeightSpecs(weights(resolveConfig(schema, config))),
      testConfig: definition.testConfig,
    },
  };
}

/** The input and network of every built-in's test config: 12 values through one hidden layer of 10. */
export const TINY_NETWORK = { inputShape: [12], architecture: { type: 'mlp', hiddenUnits: [10] } } as const;
