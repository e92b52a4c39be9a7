// tfjs-core alone registers no gradients in Node ("gradient function not found for RealDiv") and its
// `dist/register_all_gradients` module does not resolve as ESM there. tfjs-layers registers every
// gradient as an import side effect, both in its Node bundle and in its ESM build, and core needs
// tfjs-layers for its networks anyway: importing it once here is the clean way.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

// Comparisons and logical ops are piecewise constant, so their gradient is zero, but tfjs registers
// none: a mask computed from a trained tensor (`tf.where(tf.less(tf.abs(logits), 0.1), …)`, as the
// continuous Bernoulli and discretized logistic need) would otherwise stop backpropagation with
// "gradient function not found for Less". Registered only where tfjs has no gradient of its own.
const PIECEWISE_CONSTANT_BINARY = ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];
const PIECEWISE_CONSTANT_UNARY = ['LogicalNot', 'IsNan', 'IsInf', 'IsFinite'];

for (const kernelName of PIECEWISE_CONSTANT_BINARY) {
  if (tf.getGradient(kernelName)) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]!), b: () => tf.zerosLike(saved[1]!) }),
  });
}
for (const kernelName of PIECEWISE_CONSTANT_UNARY) {
  if (tf.getGradient(kernelName)) continue;
  tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc: (_dy, saved) => ({ x: () => tf.zerosLike(saved[0]!) }) });
}
