import * as tf from '@tensorflow/tfjs-core';
import { hasGradientCheckTargets, SeededRandom, type GradientCheckTarget, type LossContext, type VaeModel } from '@vaekit/core';

export interface DirectionalCheck {
  readonly target: string;
  readonly analytic: number;
  readonly numeric: number;
}

/**
 * For each gradient-check target of the model (by default one: every trainable weight against
 * `loss().total`), compares the analytic directional derivative g . d of the training gradient with a
 * central finite difference (f(w + h d) - f(w - h d)) / 2h of the target's objective, along a random
 * unit direction d over the target's weights. The noise is fixed by seed, so both are deterministic.
 */
export async function directionalDerivatives(
  model: VaeModel,
  x: tf.Tensor,
  seed: number,
  step = 1e-2,
): Promise<DirectionalCheck[]> {
  const context = (): LossContext => ({ rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training: false });
  const trainingLoss = (): tf.Scalar => model.loss(x, context()).total;
  const { targets, dispose } = hasGradientCheckTargets(model)
    ? model.gradientCheckTargets(x, context())
    : {
        targets: [
          {
            name: 'all weights',
            variables: model.variables().filter((v) => v.trainable).map((v) => v.variable),
            objective: trainingLoss,
          } satisfies GradientCheckTarget,
        ],
        dispose: () => undefined,
      };
  try {
    const results: DirectionalCheck[] = [];
    for (const [index, target] of targets.entries()) {
      results.push(await checkTarget(target, trainingLoss, seed + index * 7919, step));
    }
    return results;
  } finally {
    dispose();
  }
}

async function checkTarget(
  target: GradientCheckTarget,
  trainingLoss: () => tf.Scalar,
  seed: number,
  step: number,
): Promise<DirectionalCheck> {
  const { variables } = target;
  const directionRng = new SeededRandom(seed ^ 0x5a5a5a5a);
  const direction = tf.tidy(() => {
    const raw = variables.map((v) => directionRng.normal(v.shape));
    const norm = tf.sqrt(tf.addN(raw.map((d) => tf.sum(tf.square(d)))));
    return raw.map((d) => tf.div(d, norm));
  });
  const originals = variables.map((v) => v.clone());
  try {
    const analytic = tf.tidy(() => {
      const { grads } = tf.variableGrads(trainingLoss, variables);
      return tf.addN(variables.map((v, i) => tf.sum(tf.mul(grads[v.name] ?? tf.zerosLike(v), direction[i]!))));
    });
    const shifted = (sign: number): tf.Scalar => {
      variables.forEach((v, i) => v.assign(tf.tidy(() => tf.add(originals[i]!, tf.mul(sign * step, direction[i]!)))));
      return tf.tidy(() => target.objective());
    };
    const plus = shifted(1);
    const minus = shifted(-1);
    const numericTensor = tf.tidy(() => tf.div(tf.sub(plus, minus), 2 * step));
    const [analyticValue, numericValue] = await Promise.all([analytic.data(), numericTensor.data()]);
    tf.dispose([analytic, plus, minus, numericTensor]);
    return { target: target.name, analytic: analyticValue[0]!, numeric: numericValue[0]! };
  } finally {
    variables.forEach((v, i) => v.assign(originals[i]!));
    tf.dispose([...originals, ...direction]);
  }
}
