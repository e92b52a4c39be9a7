// The conformance suite on tfjs's WebGL backend in headless Chromium, for every registered variant. WebGL is
// required: when the page has no WebGL (or tfjs falls back), selecting it throws and every test here fails.
import '@vaekit/variants';
import { defineConformanceSuite } from '../../src/index.js';

defineConformanceSuite({ backend: 'webgl' });
