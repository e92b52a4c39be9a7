// The leak check's child process (see leaks.mjs): training with checkpoints to files, a stop, a resume,
// evaluation, save and load of the model and of the checkpoint, through the library's public API on one
// backend, twice over; prints one JSON line with the tensor counts.
// Usage: node leak-child.mjs <backend> <compile: auto|off> <folder>
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/cli.mjs';

const [backend = 'native', compileArg = 'auto', folder = '.'] = process.argv.slice(2);
const compile = compileArg === 'off' ? false : /** @type {'auto'} */ (compileArg);
const load = (/** @type {string} */ path) => import(pathToFileURL(join(ROOT, path)).href);
// The one tfjs-core every package of the workspace resolves to.
const tf = createRequire(join(ROOT, 'packages', 'core', 'package.json'))('@tensorflow/tfjs-core');
const core = await load('packages/core/dist/index.js');
const coreNode = await load('packages/core/dist/node/index.js');
const { createVae } = await load('packages/variants/dist/index.js');
const { useBackend } = await load('packages/backends/dist/index.js');
await useBackend(backend);

const data = core.prototypeDataset([64], 96, 3);
const validation = core.prototypeDataset([64], 32, 4);
const build = () => createVae({ inputShape: [64], latentDim: 4, architecture: { type: 'mlp', hiddenUnits: [32] }, seed: 1 });

/** One round of everything; returns the tensors it left beyond the trained model's own weights. */
async function round(/** @type {number} */ n) {
  const checkpointPath = join(folder, `checkpoint-${n}.vaekit`);
  const modelPath = join(folder, `model-${n}.vaekit`);
  const store = coreNode.fileCheckpointStore(checkpointPath);
  const options = { epochs: 2, batchSize: 16, seed: 5, checkpoint: store, checkpointEverySteps: 2, validation, validationLimit: 32, compile };
  // Stopped in its first epoch after a few checkpoints (the stop writes one more)...
  const controller = new AbortController();
  const stopped = build();
  try {
    await core.train(stopped, data, { ...options, signal: controller.signal, onStep: (/** @type {{ step: number }} */ e) => e.step === 5 && controller.abort() });
  } finally {
    stopped.dispose();
  }
  // ...resumed into a fresh model to the end, evaluated, saved and loaded, and loaded from its checkpoint.
  const model = build();
  try {
    const result = await core.train(model, data, { ...options, resume: true });
    if (result.resumedFromStep !== 5) throw new Error(`resumed from step ${result.resumedFromStep}, expected 5`);
    await core.evaluate(model, validation, { k: 8 });
    await coreNode.saveModel(model, modelPath);
    const loaded = await coreNode.loadModel(modelPath);
    await core.evaluate(loaded, validation, { k: 4 });
    loaded.dispose();
    const checkpoint = await core.decodeCheckpoint(new Uint8Array((await store.load()) ?? new Uint8Array()), checkpointPath);
    (await checkpoint.loadModel()).dispose();
    (await core.deserializeModel(await core.serializeModel(model))).dispose();
    const owned = model.variables().length;
    return { during: tf.memory().numTensors - owned };
  } finally {
    model.dispose();
  }
}

const start = tf.memory().numTensors;
const first = await round(1);
const afterFirst = tf.memory().numTensors;
const second = await round(2);
const afterSecond = tf.memory().numTensors;
console.log(JSON.stringify({ backend: tf.getBackend(), start, first, afterFirst, second, afterSecond }));
