import '@vaekit/variants';
import { defineConformanceSuite } from '../src/index.js';

defineConformanceSuite({ backend: 'wasm' });
