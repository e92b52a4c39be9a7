// The conformance suite on tfjs's WebAssembly backend inside headless Chromium (the Node project runs it in
// Node too), for every registered variant and, with Vae and VqVae, every registered likelihood, each with
// every registered sampler. The binaries' URLs come from the browser project's setup file.
import '@vaekit/variants';
import { defineConformanceSuite } from '../../src/index.js';
import { conformanceCases } from '../helpers/cases.js';

defineConformanceSuite({ backend: 'wasm', variants: conformanceCases() });
