// The samplers the page can fit to its model, fitted on the training digits it already holds.
import { getSampler, listSamplers, type AsyncDataset, type LatentSampler, type SamplerDefinition, type SamplerFitEvent, type VaeModel } from '@vaekit/core';

/** The most training digits a fit encodes: enough for a mixture of 16-dimensional codes, quick in a page. */
export const FIT_DIGITS = 5000;

/**
 * Settings a page can afford (a few seconds on wasm or webgl), for the samplers vaekit ships; others fit
 * with their own defaults. The conformance suite's testSettings are far too small to draw digits well.
 */
const PAGE_SETTINGS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  gmm: { components: [1, 4, 10], maxIterations: 50 },
  'two-stage': { hidden: [128], epochs: 20, batchSize: 100 },
  'code-prior': { epochs: 10 },
};

/** The registered samplers that can serve `model`, 'prior' first. */
export function samplersFor(model: VaeModel): SamplerDefinition[] {
  const usable = listSamplers().filter((s) => s.unsupportedReason(model) === undefined);
  return [...usable.filter((s) => s.name === 'prior'), ...usable.filter((s) => s.name !== 'prior')];
}

/** The first `limit` examples of `data`: the fit sees a bounded share of the page's training digits. */
function firstExamples(data: AsyncDataset, limit: number): AsyncDataset {
  return {
    size: Math.min(limit, data.size),
    exampleShape: data.exampleShape,
    binary: data.binary,
    batch: (indices, seed) => data.batch(indices, seed),
  };
}

/** Fits the sampler named `name` to `model` on at most FIT_DIGITS of `train`, reporting each stage's progress. */
export async function fitPageSampler(
  model: VaeModel,
  name: string,
  train: AsyncDataset,
  onProgress: (event: SamplerFitEvent) => void,
): Promise<LatentSampler> {
  const definition = getSampler(name);
  const reason = definition.unsupportedReason(model);
  if (reason !== undefined) throw new Error(reason);
  return definition.fit(model, {
    train: firstExamples(train, FIT_DIGITS),
    seed: 11,
    batchSize: 250,
    settings: PAGE_SETTINGS[definition.name] ?? {},
    onProgress,
  });
}

/** "encoding 2500/5000" or "epoch 3/20 · 12.34": a fit's progress for the page's status text. */
export function describeFitEvent(name: string, event: SamplerFitEvent): string {
  const value = event.value !== undefined && Number.isFinite(event.value) ? ` · ${event.value.toFixed(2)}` : '';
  return `Fitting ${name}: ${event.stage} ${event.done}/${event.total}${value}`;
}
