// Asks the browser for a WebGPU adapter and device before tfjs does. tfjs-backend-webgpu registers itself
// only when `navigator.gpu` exists and, when the adapter request answers null, fails inside its factory with
// a TypeError about reading 'features' of null; neither says what to change. This probe turns each step's
// failure into a BackendUnavailableError naming the cause.
import { isBrowser, isNode, runtimeLabel } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import { reportAdapter, type GpuAdapterLike, type GpuDeviceLike, type GpuLike, type WebgpuAdapterReport } from './webgpu-adapter.js';

/** What the probe found: the adapter, and its description with its maximum limits. */
export interface WebgpuProbe {
  adapter: GpuAdapterLike;
  report: WebgpuAdapterReport;
}

const HEADLESS_FLAGS = '--enable-unsafe-webgpu with --enable-unsafe-swiftshader (or --enable-features=Vulkan)';

function unavailableHere(): string | undefined {
  if (isNode()) {
    return 'WebGPU needs a browser here: Node has no navigator.gpu. Run the webgpu backend in Chromium (e.g. Vitest browser mode), or pick native, wasm or cpu in Node.';
  }
  if (!isBrowser()) return `WebGPU needs a browser; ${runtimeLabel()} has no navigator.gpu.`;
  return undefined;
}

function gpuOfNavigator(): GpuLike | undefined {
  // `navigator.gpu` is missing from TypeScript's DOM library; read it structurally.
  return (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function probe(): Promise<WebgpuProbe> {
  const reason = unavailableHere();
  if (reason) throw new BackendUnavailableError('webgpu', reason);
  const gpu = gpuOfNavigator();
  if (!gpu) {
    const why =
      globalThis.isSecureContext === false
        ? 'this page is not a secure context, and browsers offer navigator.gpu only to secure ones: serve it over https or from localhost/127.0.0.1'
        : 'this browser has no WebGPU (navigator.gpu is missing): use a browser with WebGPU enabled';
    throw new BackendUnavailableError('webgpu', `${why}. Or pick 'webgl' or 'wasm'.`);
  }
  let adapter: GpuAdapterLike | null;
  try {
    // The same preference tfjs-backend-webgpu asks with by default, so the adapter described is the one it uses.
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    throw new BackendUnavailableError('webgpu', `navigator.gpu.requestAdapter() failed: ${messageOf(err)}`, { cause: err });
  }
  if (!adapter) {
    throw new BackendUnavailableError(
      'webgpu',
      'the browser has WebGPU but gave no adapter (no supported GPU, the GPU is blocklisted, or WebGPU is behind a flag). ' +
        `Headless Chromium on Linux needs ${HEADLESS_FLAGS}; otherwise pick 'webgl' or 'wasm'.`,
    );
  }
  let device: GpuDeviceLike;
  try {
    device = await adapter.requestDevice();
  } catch (err) {
    throw new BackendUnavailableError('webgpu', `the adapter refused a device: ${messageOf(err)}`, { cause: err });
  }
  // A throwaway device with the default limits (128 MiB bindings, less than most adapters allow): tfjs
  // creates its own asking for the adapter's maxima, so those are the limits worth reporting.
  device.destroy();
  const report = reportAdapter(adapter, adapter.limits);
  return { adapter, report };
}

let probed: Promise<WebgpuProbe> | undefined;

/**
 * Requests a WebGPU adapter and a device on it. Throws BackendUnavailableError naming the cause (Node, no
 * secure context, no WebGPU, no adapter, no device); the outcome is remembered for the page's lifetime.
 */
export function probeWebgpu(): Promise<WebgpuProbe> {
  probed ??= probe();
  return probed;
}
