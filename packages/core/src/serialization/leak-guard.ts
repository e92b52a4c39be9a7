import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `build` (which creates a model from untrusted input) so that a throw leaves no tensor behind.
 * Plain tensors made inside are released when it returns, as in `tf.tidy`: a vaekit model owns nothing
 * but variables. Variables survive a tidy, so the ones registered inside are disposed when `build`
 * throws: a half-built model cannot be disposed through the model, which never came to exist.
 */
export function disposeOnFailure<T>(build: () => T): T {
  const engine = tf.engine();
  const before = new Set(Object.keys(engine.registeredVariables));
  engine.startScope('vaekit-load');
  try {
    return build();
  } catch (error) {
    for (const [name, variable] of Object.entries(engine.registeredVariables)) {
      if (!before.has(name)) variable.dispose();
    }
    throw error;
  } finally {
    engine.endScope();
  }
}
