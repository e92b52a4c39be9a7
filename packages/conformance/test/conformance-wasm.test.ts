import '@vaekit/variants';
import { defineConformanceSuite } from '../src/index.js';
import { conformanceCases } from './helpers/cases.js';

defineConformanceSuite({ backend: 'wasm', variants: conformanceCases() });
