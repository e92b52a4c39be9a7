import type { Likelihood, LikelihoodDescription, LikelihoodSupport, VaeModel } from '@vaekit/core';
import { supportRange } from '@vaekit/core';

/** What the contract takes a model without a `likelihood` to model: binary data, one Bernoulli logit per value. */
export const UNDECLARED_LIKELIHOOD: LikelihoodDescription = { type: 'bernoulli', support: 'binary', paramsPerValue: 1, weights: [] };

/** The likelihood a model declares, or the contract's default for one that declares none. */
export function declaredLikelihood(model: VaeModel): LikelihoodDescription {
  return model.likelihood ?? UNDECLARED_LIKELIHOOD;
}

/** The declared likelihood's own `sample`, when the model exposes the whole `Likelihood` and not only its description. */
export function likelihoodSampler(model: VaeModel): Likelihood['sample'] | undefined {
  const likelihood = model.likelihood as Partial<Likelihood> | undefined;
  return typeof likelihood?.sample === 'function' ? likelihood.sample.bind(likelihood) : undefined;
}

/** The shape `decode` must return for a batch: one parameter per value, or k stacked on a last axis. */
export function decodedShape(batch: number, inputShape: readonly number[], likelihood: LikelihoodDescription): number[] {
  return likelihood.paramsPerValue === 1 ? [batch, ...inputShape] : [batch, ...inputShape, likelihood.paramsPerValue];
}

/** The first value outside the range a mean in `support` may take, described, or undefined when all are inside. */
export function firstOutsideRange(support: LikelihoodSupport, values: ArrayLike<number>): string | undefined {
  const [low, high] = supportRange(support);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= low && v <= high)) return `value ${v} at position ${i} is outside [${low}, ${high}], the range of a mean on ${support} data`;
  }
  return undefined;
}

