import { describe, expect, it } from 'vitest';

import { plans, resolveOnly, selectPlans, selectVariantPlans, variantPlans } from '../src/plans.js';

const all = { only: null, python: true, browser: true };

describe('plans', () => {
  it('has one native row per compile setting, and the references beside them', () => {
    const byId = new Map(plans(false).map((p) => [p.id, p]));
    expect(byId.get('native-eager')).toMatchObject({ backend: 'native', compile: false, paths: ['trainer', 'raw', 'raw-lean'] });
    expect(byId.get('native-compiled')).toMatchObject({ backend: 'native', compile: 'auto', paths: ['trainer'] });
    expect(byId.get('native-xla')).toMatchObject({ backend: 'native', compile: 'xla', paths: ['trainer'] });
    expect(byId.get('pytorch-1t')?.scriptArgs).toEqual(['--threads', '1']);
    expect(byId.get('tensorflow-xla')?.scriptArgs).toEqual(['--xla']);
    expect(byId.has('native')).toBe(false);
    // A compiled row traces during its first step: it needs warm-up steps.
    for (const p of plans(true)) if (p.compile) expect(p.warmup).toBeGreaterThanOrEqual(2);
  });

  it('measures TensorFlow with XLA whenever native XLA is measured, --quick included', () => {
    expect(selectPlans(true, all).plans.map((p) => p.id)).toContain('tensorflow-xla');
    const picked = selectPlans(true, { ...all, only: ['native-xla', 'pytorch-1t'] });
    expect(picked.plans.map((p) => p.id).sort()).toEqual(['native-xla', 'pytorch-1t', 'tensorflow-xla']);
    expect(picked.added).toEqual([{ id: 'tensorflow-xla', because: 'native-xla is compared with it' }]);
    expect(selectPlans(true, { ...all, only: ['native-xla'], python: false }).plans.map((p) => p.id)).toEqual(['native-xla']);
  });

  it('keeps the compared pairs next to each other in the alternation order', () => {
    const ids = plans(false).map((p) => p.id);
    const gap = (a: string, b: string) => Math.abs(ids.indexOf(a) - ids.indexOf(b));
    expect(gap('native-xla', 'tensorflow-xla')).toBe(1);
    expect(gap('native-compiled', 'tensorflow')).toBe(1);
    expect(gap('native-compiled', 'pytorch-1t')).toBeLessThanOrEqual(2);
  });

  it('measures webgpu in Chromium beside webgl and wasm, for W1 and every variant', () => {
    for (const list of [plans(false), plans(true), variantPlans(false, 1)]) {
      const chromium = list.filter((p) => p.env === 'chromium').map((p) => p.backend);
      expect(chromium).toEqual(expect.arrayContaining(['webgl', 'webgpu', 'wasm']));
    }
    expect(resolveOnly(['chromium-webgpu'])).toEqual(['chromium-webgpu']);
  });

  it('reads native as the compiled row and rejects unknown names', () => {
    expect(resolveOnly(['native', 'wasm'])).toEqual(['native-compiled', 'wasm']);
    expect(() => resolveOnly(['natve'])).toThrow(/unknown implementation natve/);
  });

  it('sweeps the variants on native once per compile setting, over the run\'s rounds', () => {
    const sweeps = selectVariantPlans(false, 3, null);
    const native = sweeps.filter((v) => v.backend === 'native');
    expect(native.map((v) => [v.id, v.compile, v.rounds])).toEqual([
      ['native-eager', false, 3],
      ['native-compiled', 'auto', 3],
      ['native-xla', 'xla', 3],
    ]);
    expect(sweeps.filter((v) => v.backend !== 'native').every((v) => v.rounds === 1)).toBe(true);
    expect(selectVariantPlans(true, 1, ['native']).map((v) => v.id)).toEqual(['native-compiled']);
  });
});
