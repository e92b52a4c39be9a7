import { createModel, isGaussianLatentModel, listModels, type VaeModel } from '@vaekit/core';

/** One model under test: a tiny config of a registered class, and what it declares it can do. */
export interface VariantCase {
  readonly name: string;
  readonly config: { className: string } & Record<string, unknown>;
  /** Declared by the variant; checks that need a capability are skipped, with the reason printed, when it is off. */
  readonly capabilities?: {
    /** KL(q || p) has a closed form the suite can check against a Monte-Carlo estimate. Default: a Gaussian-latent model. */
    readonly closedFormKl?: boolean;
  };
}

/** Every registered model, each with its registered tiny test config. */
export function registeredVariantCases(): VariantCase[] {
  return listModels().map((entry) => ({
    name: entry.className,
    config: { ...entry.testConfig, className: entry.className },
  }));
}

export function build(variant: VariantCase): VaeModel {
  return createModel(variant.config);
}

export function hasClosedFormKl(variant: VariantCase, model: VaeModel): boolean {
  return variant.capabilities?.closedFormKl ?? isGaussianLatentModel(model);
}
