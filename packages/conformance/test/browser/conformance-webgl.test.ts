// The conformance suite on tfjs's WebGL backend in headless Chromium, for every registered variant and, with
// Vae and VqVae, every registered likelihood, each with every registered sampler. WebGL is required: when
// the page has no WebGL (or tfjs falls back), selecting it throws and every test here fails.
import '@vaekit/variants';
import { defineConformanceSuite } from '../../src/index.js';
import { conformanceCases } from '../helpers/cases.js';

defineConformanceSuite({ backend: 'webgl', variants: conformanceCases() });
