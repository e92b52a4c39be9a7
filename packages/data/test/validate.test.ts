import { describe, expect, it } from 'vitest';
import { assertFinite, DataError, validateData, validateForLikelihood } from '../src/index.js';

const loaded = (values: number[], exampleShape: number[]) => ({
  data: Float32Array.from(values),
  count: values.length / exampleShape.reduce((a, b) => a * b, 1),
  exampleShape,
});

describe('validateData', () => {
  it('passes good data and reshapes to a compatible expected shape', () => {
    const result = validateData(loaded([0, 1, 1, 0], [2, 2]), { expectedShape: [4], likelihood: 'bernoulli' });
    expect(result.exampleShape).toEqual([4]);
    expect(result.count).toBe(1);
  });

  it('names the wrong shape and the file', () => {
    const data = { data: new Float32Array(28 * 30), count: 1, exampleShape: [28, 30] };
    expect(() => validateData(data, { expectedShape: [784], source: 'digits.npy' })).toThrow(DataError);
    expect(() => validateData(data, { expectedShape: [784], source: 'digits.npy' })).toThrow(
      'expected examples of shape [784], got [28, 30] in digits.npy',
    );
  });

  it('names the first NaN or Infinity', () => {
    expect(() => validateData(loaded([0, 1, Number.NaN, Infinity], [2]), { source: 'd.csv' })).toThrow(
      'd.csv has a non-finite value (NaN) at index 2 (example 1, value 0); remove or replace it',
    );
    expect(() => assertFinite([1, -Infinity], 'x')).toThrow('x has a non-finite value (-Infinity) at index 1;');
  });

  it('rejects inconsistent sizes and empty data', () => {
    expect(() => validateData({ data: new Float32Array(5), count: 2, exampleShape: [3] }, { source: 'a' })).toThrow(
      /should hold 2 examples of shape \[3\] \(6 values\) but has 5/,
    );
    expect(() => validateData({ data: new Float32Array(0), count: 0, exampleShape: [3] }, { source: 'a' })).toThrow(/no examples/);
  });

  it('applies the likelihood check', () => {
    expect(() => validateData(loaded([0, 0.5], [2]), { likelihood: 'bernoulli', source: 'p.npy' })).toThrow(/binarize it \(dynamic binarization\)/);
    expect(validateData(loaded([0, 0.5], [2]), { likelihood: 'bernoulli', binarize: 'dynamic' }).count).toBe(1);
  });
});

describe('validateForLikelihood', () => {
  it('lets a Gaussian take any finite value', () => {
    expect(() => validateForLikelihood([-3, 250, 0.5], 'gaussian')).not.toThrow();
    expect(() => validateForLikelihood([Number.NaN], 'gaussian')).toThrow(/non-finite/);
  });

  it('asks for binarization or a grey-level likelihood when Bernoulli data is not 0/1', () => {
    expect(() => validateForLikelihood([0, 1, 0.3], 'bernoulli', { source: 'x.npy' })).toThrow(
      'x.npy has a value that is not 0 or 1 at index 2 (0.3), and a Bernoulli likelihood without binarization ' +
        'needs exactly 0 or 1; binarize it (dynamic binarization) or choose a likelihood for grey levels (continuous-bernoulli, discretized-logistic for 8-bit images)',
    );
    expect(() => validateForLikelihood([0, 1, 0.3], 'bernoulli', { binarize: 'static' })).not.toThrow();
    expect(() => validateForLikelihood([0, 1, 1], 'bernoulli')).not.toThrow();
  });

  it('asks for scaling or a likelihood for real values when values leave [0, 1], even with binarization', () => {
    expect(() => validateForLikelihood([0, 255], 'bernoulli', { binarize: 'dynamic', source: 'x.csv', exampleSize: 2 })).toThrow(
      'x.csv has a value outside [0, 1] at index 1 (example 0, value 1) (255) (8-bit pixel values? divide them by 255), ' +
        'which a Bernoulli likelihood cannot model; scale the data into [0, 1] or choose a likelihood for real values (gaussian, laplace)',
    );
    expect(() => validateForLikelihood([-0.5], 'bernoulli', { binarize: 'dynamic' })).toThrow(/outside \[0, 1\].*gaussian, laplace/);
  });

  it("checks every other likelihood against its own support", () => {
    expect(() => validateForLikelihood([0, 3 / 255, 1], 'discretized-logistic')).not.toThrow();
    expect(() => validateForLikelihood([0, 0.5], { type: 'discretized-logistic' }, { source: 'g.npy' })).toThrow(
      /g\.npy has a value at index 1 \(0\.5\) outside what the discretized-logistic likelihood models \(the 256 levels k\/255.*continuous-bernoulli/,
    );
    expect(() => validateForLikelihood([0.2, 0.7], 'continuous-bernoulli')).not.toThrow();
    expect(() => validateForLikelihood([0.2, 200], 'continuous-bernoulli')).toThrow(/\(200\) \(8-bit pixel values\? divide them by 255\)/);
    expect(() => validateForLikelihood([-3, 250], 'laplace')).not.toThrow();
    expect(() => validateForLikelihood([1], 'poisson')).toThrow(/unknown likelihood 'poisson'/);
  });
});

describe('library messages', () => {
  it('name no command-line flag: the library is used without the CLI too', () => {
    const messages: string[] = [];
    for (const attempt of [
      () => validateForLikelihood([0, 1, 0.3], 'bernoulli'),
      () => validateForLikelihood([0, 255], 'bernoulli'),
      () => validateForLikelihood([Number.NaN], 'gaussian'),
      () => validateData(loaded([0, 0.5], [2]), { likelihood: 'bernoulli' }),
    ]) {
      try {
        attempt();
      } catch (error) {
        messages.push((error as Error).message);
      }
    }
    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).not.toMatch(/--[a-z]/);
  });
});
