import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  bernoulliLogProb,
  DiagonalGaussian,
  elbo,
  klStandardNormalPerDim,
  registerModel,
  sumPerExample,
  type LossContext,
  type LossTerms,
  type ModelConfig,
  type NamedVariable,
  type SeededRandom,
  type VaeModel,
} from '../../src/index.js';

/**
 * Core cannot import @vaekit/variants (it depends on core), so its training tests use this: a VAE with a
 * linear encoder and decoder, a Bernoulli likelihood and free bits, registered so checkpoints (which
 * rebuild the model through the registry) work. Weights start from fixed seeds: every instance of one
 * config starts identical, as the resume tests need.
 */
export interface LinearVaeConfig extends ModelConfig {
  readonly className: 'LinearTestVae';
  readonly inputDim: number;
  readonly latentDim: number;
}

export function linearVae(inputDim = 12, latentDim = 3): VaeModel<LinearVaeConfig> {
  const config: LinearVaeConfig = { className: 'LinearTestVae', inputDim, latentDim };
  const named: NamedVariable[] = [
    ['encoder/kernel', [inputDim, 2 * latentDim], 1],
    ['encoder/bias', [2 * latentDim], 2],
    ['decoder/kernel', [latentDim, inputDim], 3],
    ['decoder/bias', [inputDim], 4],
  ].map(([name, shape, seed]) => {
    const initial = tf.randomNormal(shape as number[], 0, 0.3, 'float32', seed as number);
    const variable = tf.variable(initial, true, `${name}_${nextId++}`);
    initial.dispose();
    return { name: name as string, variable, trainable: true };
  });
  const [encW, encB, decW, decB] = named.map((n) => n.variable) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const flat = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [-1, inputDim]);
  const posterior = (x: tf.Tensor): DiagonalGaussian => {
    const h = tf.add(tf.matMul(flat(x), encW), encB);
    const [mean, logVar] = tf.split(h, 2, 1) as [tf.Tensor, tf.Tensor];
    return new DiagonalGaussian(mean, logVar);
  };
  const decode = (z: tf.Tensor): tf.Tensor => tf.tidy(() => tf.add(tf.matMul(z as tf.Tensor2D, decW), decB));

  const model: VaeModel<LinearVaeConfig> = {
    className: config.className,
    inputShape: [inputDim],
    latentShape: [latentDim],
    getConfig: () => ({ ...config }),
    encode: (x) => tf.tidy(() => posterior(x).mean),
    decode,
    decodeMean: (z) => tf.tidy(() => tf.sigmoid(decode(z))),
    reconstruct: (x) => tf.tidy(() => tf.sigmoid(decode(posterior(x).mean))),
    sample: (n: number, rng: SeededRandom) => tf.tidy(() => tf.sigmoid(decode(rng.normal([n, latentDim])))),
    loss: (x: tf.Tensor, context: LossContext): LossTerms =>
      tf.tidy(() => {
        const q = posterior(x);
        const z = q.sample(context.rng.normal(q.mean.shape));
        const klPerDim = klStandardNormalPerDim(q.mean, q.logVar);
        const terms = elbo(bernoulliLogProb(decode(z), flat(x)), sumPerExample(klPerDim), {
          klWeight: context.klWeight,
          klForLoss: applyFreeBits(klPerDim, context.freeBits),
        });
        return { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl };
      }),
    logWeights: (x: tf.Tensor, k: number, rng: SeededRandom) =>
      tf.tidy(() => {
        const q = posterior(x);
        const rows: tf.Tensor1D[] = [];
        for (let i = 0; i < k; i++) {
          const z = q.sample(rng.normal(q.mean.shape));
          const logPz = tf.mul(-0.5, sumPerExample(tf.add(tf.square(z), Math.log(2 * Math.PI))));
          rows.push(tf.sub(tf.add(bernoulliLogProb(decode(z), flat(x)), logPz), q.logProb(z)) as tf.Tensor1D);
        }
        return tf.stack(rows) as tf.Tensor2D;
      }),
    variables: () => named,
    dispose: () => named.forEach((n) => n.variable.dispose()),
  };
  return model;
}

// Variable names must be unique per tfjs engine; several instances live at once in these tests.
let nextId = 0;

registerModel(
  {
    className: 'LinearTestVae',
    description: 'a linear VAE for core tests',
    create: (config) => linearVae((config.inputDim as number | undefined) ?? 12, (config.latentDim as number | undefined) ?? 3),
    testConfig: { inputDim: 12, latentDim: 3 },
  },
  { replace: true },
);
