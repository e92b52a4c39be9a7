import '@vaekit/variants';
import { useBackend } from '@vaekit/backends';
import { checkSupport, createModel, listLikelihoods, prototypeDataset, type VaeModel } from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { declaredLikelihood, likelihoodCases, supportDataset, UNDECLARED_LIKELIHOOD } from '../src/index.js';
import { firstOutsideRange } from '../src/declared-likelihood.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('supportDataset', () => {
  const supports = ['binary', 'unit-interval', 'eight-bit', 'real'] as const;

  it.each(supports)('%s: every value lies in the support, and the same seed gives the same values', (support) => {
    const data = supportDataset(support, [3, 4]);
    expect(data.size).toBe(64);
    expect(data.values.length).toBe(64 * 12);
    expect(checkSupport(support, data.values)).toBeUndefined();
    expect(Array.from(supportDataset(support, [3, 4]).values)).toEqual(Array.from(data.values));
    expect(data.binary).toBe(support === 'binary');
    const batch = data.batch([5, 0], 0);
    expect(batch.shape).toEqual([2, 3, 4]);
    expect(Array.from(batch.dataSync().subarray(12, 24))).toEqual(Array.from(data.values.subarray(0, 12)));
    batch.dispose();
  });

  it('keeps the binary prototypes: binary data is prototypeDataset, and each support follows its bits', () => {
    const bits = prototypeDataset([12]).values;
    expect(Array.from(supportDataset('binary', [12]).values)).toEqual(Array.from(bits));
    const grey = supportDataset('unit-interval', [12]).values;
    const real = supportDataset('real', [12]).values;
    // Grey levels sit near 0.2 and 0.8 and reals near -1 and 1 (before standardizing): the bit decides the side.
    grey.forEach((v, i) => expect(v > 0.5, `grey value ${i}`).toBe(bits[i] === 1));
    const agreeing = real.filter((v, i) => v > 0 === (bits[i] === 1)).length;
    expect(agreeing / real.length).toBeGreaterThan(0.99);
  });

  it('real data are standardized: mean 0, variance 1', () => {
    const { values } = supportDataset('real', [12]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(variance).toBeCloseTo(1, 5);
  });

  it('eight-bit data use several levels k/255, not only two', () => {
    const levels = new Set(Array.from(supportDataset('eight-bit', [12]).values, (v) => Math.round(v * 255)));
    expect(levels.size).toBeGreaterThan(20);
  });
});

describe('likelihoodCases', () => {
  it('pairs Vae and VqVae with every registered likelihood and the extra scale modes, each a buildable config', () => {
    const cases = likelihoodCases();
    const types = listLikelihoods().map((d) => d.type);
    expect(cases.length).toBe(2 * (types.length + 4));
    for (const className of ['Vae', 'VqVae']) {
      for (const type of types) expect(cases.map((c) => c.name)).toContain(`${className} × ${type}`);
      expect(cases.map((c) => c.name)).toContain(`${className} × gaussian (variance learned-per-pixel)`);
      expect(cases.map((c) => c.name)).toContain(`${className} × laplace (scale learned-global)`);
    }
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const laplace = cases.find((c) => c.name === 'VqVae × laplace (scale learned-global)')!;
    const model = createModel(laplace.config);
    try {
      expect(declaredLikelihood(model)).toMatchObject({ type: 'laplace', support: 'real', paramsPerValue: 1 });
      expect(model.variables().map((v) => v.name)).toContain('likelihood/logScale');
    } finally {
      model.dispose();
    }
  });

  it('refuses an unregistered likelihood or model, naming it', () => {
    expect(() => likelihoodCases({ likelihoods: [{ type: 'no-such-likelihood' }] })).toThrow(/no-such-likelihood/);
    expect(() => likelihoodCases({ classNames: ['NoSuchModel'] })).toThrow(/NoSuchModel/);
    expect(() => likelihoodCases({ likelihoods: [{ type: 'gaussian', variance: 'sometimes' }] })).toThrow(/variance/);
  });
});

describe('declared likelihood', () => {
  it('is binary for a model that declares none, as the contract says', () => {
    const inner = createModel({ className: 'Vae', inputShape: [4], latentDim: 2 });
    // The same model with its declaration hidden, as a model written before declarations would be.
    const undeclared = Object.create(inner, { likelihood: { value: undefined } }) as VaeModel;
    try {
      expect(declaredLikelihood(undeclared)).toBe(UNDECLARED_LIKELIHOOD);
      expect(UNDECLARED_LIKELIHOOD.support).toBe('binary');
    } finally {
      inner.dispose();
    }
  });

  it('bounds means by the support: [0, 1] unless real', () => {
    expect(firstOutsideRange('binary', [0, 0.5, 1])).toBeUndefined();
    expect(firstOutsideRange('eight-bit', [1.01])).toMatch(/1\.01 at position 0/);
    expect(firstOutsideRange('unit-interval', [0.2, -0.1])).toMatch(/position 1/);
    expect(firstOutsideRange('real', [-1e6, 1e6])).toBeUndefined();
    expect(firstOutsideRange('real', [Number.NaN])).toMatch(/NaN/);
  });
});
