import '@vaekit/variants';
import { defineConformanceSuite } from '../src/index.js';

// Native is required: when its addon is missing, selecting it throws and every test here fails.
defineConformanceSuite({ backend: 'native' });
