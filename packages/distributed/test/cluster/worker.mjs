// @ts-check
// One worker of a test cluster, started by launcher.mjs with its TF_CONFIG. It runs the BUILT package (dist),
// as a user would, and reports each event as one JSON line on stdout.
//   node worker.mjs sums   all-reduce and broadcast known values once, report them, exit 0
//   node worker.mjs loop   all-reduce every few milliseconds until a collective fails (exit 3) or 2 minutes pass
//   node worker.mjs idle   start, report 'idle', then wait 8 s without collectives (for signals), exit 0
//   node worker.mjs idle-listening  the same, with a SIGTERM listener (added before startWorker) that reports and exits 0
//   node worker.mjs abort  like loop, but the last rank aborts its collectives at step 10, tries one more, exits 5
//   node worker.mjs train  core's train with { distributed } on a tiny VAE (rank r > 0 starts from other weights), then
//                          rank 0 trains the same model alone on the same global batches; reports weights and history
process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';

const tf = await import('@tensorflow/tfjs-core');
const { useBackend } = await import('@vaekit/backends');
const { DistributedError, readTfConfig, startWorker } = await import('@vaekit/distributed');

const mode = process.argv[2];
/** @param {Record<string, unknown>} event */
const report = (event) => process.stdout.write(`${JSON.stringify({ at: Date.now(), pid: process.pid, ...event })}\n`);

await useBackend('native');
if (mode === 'idle-listening') {
  process.on('SIGTERM', () => {
    report({ ev: 'sigterm' });
    process.exit(0);
  });
}
const config = readTfConfig(process.env);
const options = JSON.parse(process.env['VAEKIT_TEST_WORKER_OPTIONS'] ?? '{}');
const baseline = tf.memory().numTensors;
const t0 = Date.now();
/** @type {import('@vaekit/distributed').DistributedWorker} */
let worker;
try {
  worker = startWorker(config, options);
} catch (err) {
  report({ ev: 'start-failed', ms: Date.now() - t0, distributed: DistributedError.isInstance(err), message: String(err instanceof Error ? err.message : err), lostTasks: DistributedError.isInstance(err) ? err.lostTasks : [] });
  process.exit(2);
}
report({ ev: 'started', rank: worker.rank, size: worker.size, device: worker.device, ms: Date.now() - t0 });

if (mode === 'sums') {
  const r = worker.rank;
  const k = r + 1;
  // Rank r holds (r + 1) * base: the sum over N ranks is N(N+1)/2 * base, exact in float32 for these values.
  const inputs = [tf.tensor2d([[1, 2, 3], [4, 5, 6]].map((row) => row.map((v) => v * k))), tf.tensor1d([0.5 * k, -0.25 * k]), tf.scalar(1000 * k)];
  const ints = [tf.tensor1d([k, 2 * k, 3 * k], 'int32')];
  // Every rank offers different values; all must end with the source rank's.
  const offered = [tf.fill([2, 2], 10 * k), tf.tensor1d([r, -r])];
  const rows = [tf.tensor2d([[r, 10 * r]]), tf.scalar(100 * k)];
  const before = tf.memory().numTensors;
  const sums = worker.allReduce(inputs, 'sum');
  const maxes = worker.allReduce(inputs, 'max');
  const means = worker.allReduce(inputs, 'mean');
  const intSums = worker.allReduce(ints);
  const gathered = worker.allGather(rows);
  const from = worker.size - 1;
  const broadcast = worker.broadcast(offered, from);
  const read = (/** @type {import('@tensorflow/tfjs-core').Tensor[]} */ list) => list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
  // New tensors are exactly the results: the fusing left nothing behind.
  const made = tf.memory().numTensors - before;
  const results = [...sums, ...maxes, ...means, ...intSums, ...gathered, ...broadcast];
  report({ ev: 'result', from, sums: read(sums), maxes: read(maxes), means: read(means), intSums: read(intSums), gathered: read(gathered), broadcast: read(broadcast), made, results: results.length });
  tf.dispose([...inputs, ...ints, ...offered, ...rows, ...results]);
  report({ ev: 'leaks', tensors: tf.memory().numTensors - baseline });
  process.exit(0);
}

if (mode === 'loop' || mode === 'abort') {
  const x = tf.fill([1000], worker.rank + 1);
  let lastOk = Date.now();
  for (let step = 0; Date.now() - t0 < 120_000; step++) {
    if (mode === 'abort' && worker.rank === worker.size - 1 && step === 10) {
      worker.abort('the test aborts');
      const a = Date.now();
      try {
        worker.allReduce([x]);
        report({ ev: 'after-abort', ok: true });
      } catch (err) {
        report({ ev: 'after-abort', ok: false, ms: Date.now() - a, distributed: DistributedError.isInstance(err), message: String(err instanceof Error ? err.message : err) });
      }
      process.exit(5);
    }
    try {
      tf.dispose(worker.allReduce([x]));
    } catch (err) {
      report({ ev: 'error', step, msSinceLastOk: Date.now() - lastOk, distributed: DistributedError.isInstance(err), message: String(err instanceof Error ? err.message : err), lostTasks: DistributedError.isInstance(err) ? err.lostTasks : [] });
      process.exit(3);
    }
    lastOk = Date.now();
    if (step % 10 === 0) report({ ev: 'step', step });
    // Yield, so a step's report leaves before the next collective blocks the thread.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  report({ ev: 'loop-timed-out' });
  process.exit(4);
}

if (mode === 'idle' || mode === 'idle-listening') {
  report({ ev: 'idle' });
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  report({ ev: 'idle-ended' });
  process.exit(0);
}

if (mode === 'train' || mode === 'train-compiled') {
  const { createModel, prototypeDataset, train } = await import('@vaekit/core');
  await import('@vaekit/variants');
  const { trainingWorker } = await import('@vaekit/distributed');
  // 100 examples in global batches of 24: four of 24, then one of 4, shared unevenly by 3 workers (1, 1, 2).
  const data = prototypeDataset([12], 100);
  // 'train-compiled' runs the cluster's steps and the single process's as compiled TensorFlow functions.
  const compile = mode === 'train-compiled' ? /** @type {const} */ ('auto') : /** @type {const} */ (false);
  /** @type {Array<{ status: string, reason?: string, batchShape?: number[] }>} */
  const compileEvents = [];
  const onCompile = (/** @type {{ status: string, reason?: string, batchShape?: readonly number[] }} */ event) =>
    compileEvents.push({ status: event.status, reason: event.reason, batchShape: event.batchShape ? [...event.batchShape] : undefined });
  const options = { epochs: 2, batchSize: 24, seed: 7, clipGradientNorm: 2, compile };
  const modelOf = (/** @type {number} */ seed) => createModel({ className: 'Vae', inputShape: [12], latentDim: 3, architecture: { type: 'mlp', hiddenUnits: [10] }, seed });
  const weightsOf = (/** @type {import('@vaekit/core').VaeModel} */ model) => model.variables().map((v) => Array.from(v.variable.dataSync()));
  // Every rank but 0 starts elsewhere: equal results then show that rank 0's weights were sent.
  const model = modelOf(worker.rank === 0 ? 1 : 100 + worker.rank);
  const initial = weightsOf(model);
  const before = tf.memory().numTensors;
  const result = await train(model, data, { ...options, onCompile, distributed: trainingWorker(worker) });
  const leaked = tf.memory().numTensors - before;
  report({ ev: 'trained', initial, weights: weightsOf(model), history: result.history.map((h) => h.train), steps: result.steps, leaked, compileEvents });
  if (worker.rank === 0) {
    const single = modelOf(1);
    const alone = await train(single, data, options);
    report({ ev: 'single', weights: weightsOf(single), history: alone.history.map((h) => h.train), steps: alone.steps });
  }
  process.exit(0);
}

report({ ev: 'unknown-mode', mode });
process.exit(1);
