// Measures, for every registered variant, how far webgl, webgpu and wasm (in Chromium) land from the cpu
// backend on the same weights and noise, and prints it next to the backend's tolerance. The conformance suite
// asserts agreement; this file records the margins so the tolerances in @vaekit/backends stay measured.
import * as tf from '@tensorflow/tfjs-core';
import '@vaekit/variants';
import { backendTolerance, useBackend, type BackendName } from '@vaekit/backends';
import { createModel, prototypeDataset, SeededRandom } from '@vaekit/core';
import { describe, expect, it } from 'vitest';

import { registeredVariantCases } from '../../src/index.js';

const BATCH = 8;

/** Loss terms and latent codes of a freshly built model (weights are seeded, so the same on every backend). */
async function measure(config: Record<string, unknown> & { className: string }): Promise<Float32Array> {
  const model = createModel(config);
  const data = prototypeDataset(model.inputShape);
  const x = data.batch(
    Array.from({ length: BATCH }, (_, i) => i),
    0,
  );
  try {
    const terms = model.loss(x, { rng: new SeededRandom(6), step: 0, klWeight: 1, freeBits: 0, training: false });
    const code = model.encode(x);
    const all = tf.concat([tf.stack(Object.values(terms)), tf.reshape(code, [-1])]);
    const values = Float32Array.from(await all.data());
    tf.dispose([all, code, ...Object.values(terms)]);
    return values;
  } finally {
    x.dispose();
    model.dispose();
  }
}

interface Margin {
  variant: string;
  backend: BackendName;
  maxAbs: number;
  maxRel: number;
  /** Largest |a - e| / (atol + rtol |e|): below 1 means within tolerance. */
  worstRatio: number;
}

describe('measured agreement with cpu in Chromium', () => {
  it('stays within each backend\'s tolerance for every variant, and reports the margins', async () => {
    const margins: Margin[] = [];
    for (const variant of registeredVariantCases()) {
      await useBackend('cpu');
      const reference = await measure(variant.config);
      for (const backend of ['webgl', 'webgpu', 'wasm'] as const) {
        await useBackend(backend);
        const values = await measure(variant.config);
        const { rtol, atol } = backendTolerance(backend);
        let maxAbs = 0;
        let maxRel = 0;
        let worstRatio = 0;
        values.forEach((a, i) => {
          const e = reference[i]!;
          const diff = Math.abs(a - e);
          maxAbs = Math.max(maxAbs, diff);
          if (Math.abs(e) > 1e-3) maxRel = Math.max(maxRel, diff / Math.abs(e));
          worstRatio = Math.max(worstRatio, diff / (atol + rtol * Math.abs(e)));
        });
        margins.push({ variant: variant.name, backend, maxAbs, maxRel, worstRatio });
      }
    }
    const lines = margins.map(
      (m) =>
        `${m.variant.padEnd(14)} ${m.backend.padEnd(6)} max|diff| ${m.maxAbs.toExponential(2)}  max rel ${m.maxRel.toExponential(2)}  ` +
        `worst/tolerance ${m.worstRatio.toExponential(1)}`,
    );
    console.log(`[agreement vs cpu, same weights and noise]\n${lines.join('\n')}`);
    for (const m of margins) expect(m.worstRatio, `${m.variant} on ${m.backend}`).toBeLessThanOrEqual(1);
  });
});
