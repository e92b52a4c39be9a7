// Browser test setup: a bundled page must tell tfjs-backend-wasm where its binaries are served, or it fails
// with "wasm streaming compile failed". Vite turns each `?url` import into the served URL of that file.
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import { configureWasm } from '@vaekit/backends/wasm';

configureWasm({
  wasmPaths: {
    'tfjs-backend-wasm.wasm': plainWasm,
    'tfjs-backend-wasm-simd.wasm': simdWasm,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
  },
});
