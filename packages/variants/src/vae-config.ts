import { rejectUnknownFields, type LikelihoodConfig, type ModelConfig } from '@vaekit/core';
import { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';

export interface VaeConfig extends ModelConfig {
  readonly className: string;
  /** Shape of one example without the batch dimension: [784] flat, or [28, 28, 1] for images. */
  readonly inputShape: readonly number[];
  readonly latentDim: number;
  /** Encoder architecture; the decoder mirrors it. */
  readonly architecture: ArchitectureConfig;
  readonly likelihood: LikelihoodConfig;
  /** Weight on the KL term (1 for the plain VAE). */
  readonly beta: number;
  /** `closed-form` KL, or a one-sample `monte-carlo` estimate (log q(z|x) - log p(z)). */
  readonly klEstimator: 'closed-form' | 'monte-carlo';
  /** Seeds the weight initialization. */
  readonly seed: number;
  /**
   * Batch-normalize the pre-activations of the inference network's hidden layers (Ioffe and Szegedy
   * 2015; the ladder also normalizes its top-down blocks). Training normalizes by the batch's statistics
   * and moves running averages, which evaluation, encoding and sampling use; they are saved with the
   * model. The decoder is never normalized: p(x | z) must not depend on the other examples in a batch.
   */
  readonly batchNorm: boolean;
}

export const VAE_DEFAULTS: Omit<VaeConfig, 'className'> = {
  inputShape: [784],
  latentDim: 32,
  architecture: DEFAULT_ARCHITECTURE,
  likelihood: { type: 'bernoulli' },
  beta: 1,
  klEstimator: 'closed-form',
  seed: 0,
  batchNorm: false,
};

/**
 * Fills defaults and checks every field, with errors that say what to pass instead. `extraFields` are
 * the fields a variant adds (it checks their values itself); any other field is refused.
 */
export function resolveVaeConfig(className: string, partial: Partial<VaeConfig>, extraFields: readonly string[] = []): VaeConfig {
  rejectUnknownFields(className, stripUndefined(partial), ['className', ...Object.keys(VAE_DEFAULTS), ...extraFields]);
  const config = { ...VAE_DEFAULTS, ...stripUndefined(partial), className } as VaeConfig;
  const positiveInt = (name: string, v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${className}: ${name} must be a whole number >= 1, got ${String(v)}`);
  };
  if (!Array.isArray(config.inputShape) || config.inputShape.length === 0) {
    throw new RangeError(`${className}: inputShape must be a non-empty array such as [784] or [28, 28, 1]`);
  }
  config.inputShape.forEach((d, i) => positiveInt(`inputShape[${i}]`, d));
  positiveInt('latentDim', config.latentDim);
  const arch = config.architecture;
  if (arch.type === 'mlp') arch.hiddenUnits.forEach((u, i) => positiveInt(`architecture.hiddenUnits[${i}]`, u));
  else if (arch.type === 'conv') {
    arch.filters.forEach((f, i) => positiveInt(`architecture.filters[${i}]`, f));
    positiveInt('architecture.kernelSize', arch.kernelSize);
    positiveInt('architecture.denseUnits', arch.denseUnits);
  } else throw new RangeError(`${className}: architecture.type must be 'mlp' or 'conv'`);
  if (!(config.beta >= 0) || !Number.isFinite(config.beta)) throw new RangeError(`${className}: beta must be a finite number >= 0, got ${config.beta}`);
  if (config.klEstimator !== 'closed-form' && config.klEstimator !== 'monte-carlo') {
    throw new RangeError(`${className}: klEstimator must be 'closed-form' or 'monte-carlo', got ${String(config.klEstimator)}`);
  }
  if (!Number.isInteger(config.seed)) throw new RangeError(`${className}: seed must be a whole number, got ${config.seed}`);
  if (typeof config.batchNorm !== 'boolean') {
    throw new RangeError(`${className}: batchNorm must be true or false, got ${JSON.stringify(config.batchNorm)}`);
  }
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
