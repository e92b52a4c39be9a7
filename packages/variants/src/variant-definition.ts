import { resolveConfig, type ConfigSchema, type ModelConfig, type RegisteredModel, type VaeModel } from '@vaekit/core';
import { asWeightSpecs, type PlannedWeight } from './layer-plan.js';

/** Everything a variant declares to be created by name, saved, loaded and certified by the conformance suite. */
export interface VariantDefinition<C extends ModelConfig, M extends VaeModel<C>> {
  /** Its fields, defaults and checks; the schema's className is the registered name (the class's name). */
  readonly schema: ConfigSchema<C>;
  readonly description: string;
  /** The model for a resolved config. */
  readonly build: (config: C) => M;
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
 * Turns a definition into a registry entry (register it with `registerModel`, as `register.ts` does for
 * the built-ins) and a typed `create`. Both resolve configs with the schema, so the errors are the same.
 */
export function defineVariant<C extends ModelConfig, M extends VaeModel<C>, I extends object = Partial<C>>(
  definition: VariantDefinition<C, M>,
): Variant<C, M, I> {
  const { schema, build, weights } = definition;
  const create = (config: object = {}): M => build(resolveConfig(schema, config));
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
