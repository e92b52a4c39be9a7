// Settings every page and browser test here shares (Vitest browser mode, apps/web, the bench page), so
// they cannot drift apart.

/** Cross-origin isolation: lets the wasm backend run its threaded build (SharedArrayBuffer). */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/**
 * Vite's dependency pre-bundling for tfjs: every tfjs package bundled up front shares one tfjs-core, and
 * nothing is re-optimised (which reloads the page) when a backend is first imported lazily. tfjs-node is
 * Node-only and never belongs in a page.
 */
export const TFJS_OPTIMIZE_DEPS = Object.freeze({
  include: [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-layers',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgl',
    '@tensorflow/tfjs-backend-webgpu',
  ],
  exclude: ['@tensorflow/tfjs-node'],
});
