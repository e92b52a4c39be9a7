import { createImageDataset, parseIdx } from '@vaekit/data';
import type { Dataset } from '@vaekit/core';

/** MNIST digits as the dev server (or a build) serves them: see the plugin in vite.config.ts. */
export interface PageMnist {
  train: Dataset;
  test: Dataset;
}

async function fetchImages(split: 'train' | 'test'): Promise<{ images: Uint8Array; count: number }> {
  const url = `${import.meta.env.BASE_URL}mnist/${split}-images.idx`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  const parsed = parseIdx(new Uint8Array(await response.arrayBuffer()), url);
  const [count, rows, cols] = parsed.dims;
  if (parsed.dtype !== 'uint8' || rows !== 28 || cols !== 28 || count === undefined) {
    throw new Error(`${url} holds ${parsed.dtype} [${parsed.dims.join(', ')}], expected uint8 [n, 28, 28]`);
  }
  return { images: parsed.data as Uint8Array, count };
}

/** Dynamically binarized MNIST, the literature's setting: every batch redraws the pixels from the intensities. */
export async function loadPageMnist(): Promise<PageMnist> {
  const [train, test] = await Promise.all([fetchImages('train'), fetchImages('test')]);
  const dataset = ({ images, count }: { images: Uint8Array; count: number }): Dataset =>
    createImageDataset({ images, count, exampleShape: [784], binarization: 'dynamic' });
  return { train: dataset(train), test: dataset(test) };
}
