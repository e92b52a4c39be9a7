import { createModel, listLikelihoods, listModels, UnknownModelError, type LikelihoodConfig, type ModelConfig, type UntypedModelConfig, type VaeModel } from '@vaekit/core';
// Importing the variants registers every built-in model class; the CLI only ever looks them up by name.
import '@vaekit/variants';
import { UsageError } from './errors.js';

/**
 * The registered class a `--model` name means, matched case-insensitively so `--model vae` works too.
 * An unknown name is a wrong flag value, so a usage error, with core's wording (it lists the classes).
 */
export function resolveModelClass(name: string): string {
  const wanted = name.toLowerCase();
  const match = listModels().find((entry) => entry.className.toLowerCase() === wanted);
  if (!match) throw new UsageError(new UnknownModelError(name).message);
  return match.className;
}

/** `name  description` lines for help text, from the registry, so new variants show up by themselves. */
export function describeModels(): string {
  return listModels()
    .map((entry) => `  ${entry.className.padEnd(10)} ${entry.description}`)
    .join('\n');
}

export function buildModel(config: ModelConfig): VaeModel {
  return createModel(config);
}

/**
 * Which likelihood a saved model decodes with, for data checks and binarization defaults. Models that do
 * not record one are Bernoulli, the library's default.
 */
export function likelihoodOf(model: VaeModel): LikelihoodConfig {
  const saved = (model.getConfig() as UntypedModelConfig)['likelihood'];
  return typeof saved === 'object' && saved !== null && typeof (saved as { type?: unknown }).type === 'string'
    ? (saved as LikelihoodConfig)
    : { type: 'bernoulli' };
}

/** `type  description` lines for help text, from core's likelihood registry. */
export function describeLikelihoods(): string {
  return listLikelihoods()
    .map((entry) => `  ${entry.type.padEnd(22)} ${entry.description}`)
    .join('\n');
}
