import * as tf from '@tensorflow/tfjs-core';
import { checkSamplerFits, checkWholeCount, type LatentSampler, type NamedVariable, type SamplerConfig, type SeededRandom, type VaeModel } from '@vaekit/core';
import type { VaeConfig } from '../vae-config.js';

export interface TwoStageSamplerConfig extends SamplerConfig {
  readonly className: 'TwoStageSampler';
  /** The second-stage Vae's complete config: its input and output are codes of the first model. */
  readonly stage2: VaeConfig;
}

/** Where the second stage's weights sit among the sampler's, so its names cannot meet another part's. */
export const STAGE2_PREFIX = 'stage2/';

/**
 * Dai and Wipf's two-stage VAE (2019, "Diagnosing and Enhancing VAE Models"), as a sampler: a second,
 * small VAE trained on the first model's posterior means learns where those codes really lie, which a
 * first model's aggregate posterior rarely matches N(0, I) on. Its own prior draws, decoded to their
 * mean, are the codes the first model then decodes.
 */
export class TwoStageSampler implements LatentSampler<TwoStageSamplerConfig> {
  readonly className = 'TwoStageSampler';
  readonly latentShape: readonly number[];

  /** Takes ownership of `stage2`, a Vae over codes of `latentShape`'s size: disposing the sampler disposes it. */
  constructor(
    latentShape: readonly number[],
    private readonly stage2: VaeModel<VaeConfig>,
  ) {
    this.latentShape = [...latentShape];
    const codeSize = this.latentShape.reduce((a, b) => a * b, 1);
    if (stage2.inputShape.length !== 1 || stage2.inputShape[0] !== codeSize) {
      throw new RangeError(
        `the second stage must model codes of ${codeSize} numbers (latent shape [${this.latentShape}]), but it takes inputs of shape [${stage2.inputShape}]`,
      );
    }
  }

  getConfig(): TwoStageSamplerConfig {
    return { className: 'TwoStageSampler', latentShape: [...this.latentShape], stage2: this.stage2.getConfig() };
  }

  summary(): string {
    const { latentDim } = this.stage2.getConfig();
    return `a second-stage Vae over codes of ${this.stage2.inputShape[0]} numbers, with ${latentDim} latent dimensions`;
  }

  sampleLatents(model: VaeModel, n: number, rng: SeededRandom): tf.Tensor {
    checkWholeCount('sample count', n);
    checkSamplerFits(model, this);
    return tf.tidy(() => tf.reshape(this.stage2.sample(n, rng), [n, ...this.latentShape]));
  }

  /** The second stage's weights, the same variables under `stage2/` names: a file's weights are assigned through them. */
  variables(): NamedVariable[] {
    return this.stage2.variables().map(({ name, variable, trainable }) => ({ name: `${STAGE2_PREFIX}${name}`, variable, trainable }));
  }

  dispose(): void {
    this.stage2.dispose();
  }
}
