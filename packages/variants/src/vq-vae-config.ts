import { rejectUnknownFields, type LikelihoodConfig, type ModelConfig } from '@vaekit/core';
import { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';

export interface VqVaeConfig extends ModelConfig {
  readonly className: string;
  /** Shape of one example without the batch dimension. */
  readonly inputShape: readonly number[];
  /** Encoder body (its last dense layer emits numLatents * embeddingDim numbers); the decoder mirrors it. */
  readonly architecture: ArchitectureConfig;
  readonly likelihood: LikelihoodConfig;
  /** Discrete latents per example: the encoder emits this many vectors, each quantized on its own. */
  readonly numLatents: number;
  /** Size of each latent vector and of each code. */
  readonly embeddingDim: number;
  /** K, the number of codes. */
  readonly codebookSize: number;
  /** beta_c, the weight on the commitment loss ||z_e - sg(e)||^2. */
  readonly commitmentCost: number;
  /**
   * How the codebook learns: `loss` — by gradient on the codebook loss ||sg(z_e) - e||^2 (the codebook is
   * trainable); `ema` — by exponential moving averages of the assigned encoder outputs (not trainable).
   */
  readonly codebook: 'loss' | 'ema';
  /** EMA decay (gamma in the paper's appendix). */
  readonly emaDecay: number;
  /** Laplace smoothing of the EMA counts. */
  readonly emaEpsilon: number;
  /** A code unused for this many consecutive training steps restarts at a batch vector; 0 turns restarts off. */
  readonly deadCodeRestartSteps: number;
  /** Codes start uniform in [-codebookInitScale, codebookInitScale] per dimension (seeded). */
  readonly codebookInitScale: number;
  /** Seeds the weight and codebook initialization. */
  readonly seed: number;
}

export const VQ_VAE_DEFAULTS: Omit<VqVaeConfig, 'className'> = {
  inputShape: [784],
  architecture: DEFAULT_ARCHITECTURE,
  likelihood: { type: 'bernoulli' },
  numLatents: 16,
  embeddingDim: 8,
  codebookSize: 64,
  commitmentCost: 0.25,
  codebook: 'loss',
  emaDecay: 0.99,
  emaEpsilon: 1e-5,
  deadCodeRestartSteps: 100,
  codebookInitScale: 1,
  seed: 0,
};

/** Fills defaults and checks every field, with errors that say what to pass instead. */
export function resolveVqVaeConfig(partial: Partial<VqVaeConfig> = {}, className = 'VQVAE'): VqVaeConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  rejectUnknownFields(className, defined, ['className', ...Object.keys(VQ_VAE_DEFAULTS)]);
  const config = { ...VQ_VAE_DEFAULTS, ...defined, className } as VqVaeConfig;
  const positiveInt = (name: string, v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < 1) {
      throw new RangeError(`${className}: ${name} must be a whole number >= 1, got ${String(v)}`);
    }
  };
  if (!Array.isArray(config.inputShape) || config.inputShape.length === 0) {
    throw new RangeError(`${className}: inputShape must be a non-empty array such as [784] or [28, 28, 1]`);
  }
  config.inputShape.forEach((d, i) => positiveInt(`inputShape[${i}]`, d));
  const arch = config.architecture;
  if (arch?.type === 'mlp') arch.hiddenUnits.forEach((u, i) => positiveInt(`architecture.hiddenUnits[${i}]`, u));
  else if (arch?.type === 'conv') {
    arch.filters.forEach((f, i) => positiveInt(`architecture.filters[${i}]`, f));
    positiveInt('architecture.kernelSize', arch.kernelSize);
    positiveInt('architecture.denseUnits', arch.denseUnits);
  } else throw new RangeError(`${className}: architecture.type must be 'mlp' or 'conv'`);
  positiveInt('numLatents', config.numLatents);
  positiveInt('embeddingDim', config.embeddingDim);
  positiveInt('codebookSize', config.codebookSize);
  if (config.codebookSize < 2) throw new RangeError(`${className}: codebookSize must be at least 2, got ${config.codebookSize}`);
  const nonNegative = (name: string, v: number): void => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${className}: ${name} must be a finite number >= 0, got ${v}`);
  };
  nonNegative('commitmentCost', config.commitmentCost);
  if (config.codebook !== 'loss' && config.codebook !== 'ema') {
    throw new RangeError(`${className}: codebook must be 'loss' or 'ema', got ${String(config.codebook)}`);
  }
  if (!(config.emaDecay >= 0 && config.emaDecay < 1)) {
    throw new RangeError(`${className}: emaDecay must be in [0, 1), got ${config.emaDecay}`);
  }
  if (!(config.emaEpsilon > 0) || !Number.isFinite(config.emaEpsilon)) {
    throw new RangeError(`${className}: emaEpsilon must be a finite number > 0, got ${config.emaEpsilon}`);
  }
  if (!Number.isInteger(config.deadCodeRestartSteps) || config.deadCodeRestartSteps < 0) {
    throw new RangeError(`${className}: deadCodeRestartSteps must be a whole number >= 0 (0: off), got ${config.deadCodeRestartSteps}`);
  }
  if (!(config.codebookInitScale > 0) || !Number.isFinite(config.codebookInitScale)) {
    throw new RangeError(`${className}: codebookInitScale must be a finite number > 0, got ${config.codebookInitScale}`);
  }
  if (!Number.isInteger(config.seed)) throw new RangeError(`${className}: seed must be a whole number, got ${config.seed}`);
  return config;
}
