import '@vaekit/variants';
import { defineConformanceSuite } from '../src/index.js';
import { conformanceCases } from './helpers/cases.js';

// Native is required: when its addon is missing, selecting it throws and every test here fails.
defineConformanceSuite({ backend: 'native', variants: conformanceCases() });
