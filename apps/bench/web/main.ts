// The Chromium side of the bench: the orchestrator (Playwright) calls `window.vaekitBench(task)` in a
// fresh page per backend, and gets the same TaskResult a Node worker prints.
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import '@vaekit/variants';
import { useBackend } from '@vaekit/backends';
import { configureWasm } from '@vaekit/backends/wasm';

import { runTask } from '../src/run-task.js';
import type { Task, TaskResult } from '../src/task.js';

configureWasm({
  wasmPaths: {
    'tfjs-backend-wasm.wasm': plainWasm,
    'tfjs-backend-wasm-simd.wasm': simdWasm,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
  },
});

declare global {
  interface Window {
    vaekitBench?: (task: Task) => Promise<TaskResult>;
    vaekitLog?: string[];
  }
}

const status = document.getElementById('status')!;
window.vaekitLog = [];
window.vaekitBench = async (task: Task): Promise<TaskResult> => {
  const info = await useBackend(task.backend);
  const backend = { name: info.name, runtime: info.runtime, threads: info.threads, simd: info.simd };
  status.textContent = `running ${task.kind} on ${info.name}`;
  const result = await runTask(task, backend, (line) => window.vaekitLog!.push(line));
  status.textContent = 'done';
  return result;
};
status.textContent = 'ready';
