// The wasm backend fetches one of three binaries at start-up. Vite serves each file imported with `?url` and
// hands over its final URL (hashed in a build), which is what tfjs-backend-wasm needs to be told.
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import { configureWasm } from '@vaekit/backends/wasm';

export function configureWasmBinaries(): void {
  configureWasm({
    wasmPaths: {
      'tfjs-backend-wasm.wasm': plainWasm,
      'tfjs-backend-wasm-simd.wasm': simdWasm,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
    },
  });
}
