import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkWholeCount,
  defineSchema,
  extendSchema,
  finiteNumber,
  flag,
  gaussianLogProbFromNoise,
  oneOf,
  reparameterize,
  resolveConfig,
  schemaDefaults,
  DiagonalGaussian,
  tileDraws,
  wholeNumber,
  wholeNumbers,
  withDefault,
  type ModelConfig,
} from '../src/index.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

interface BaseConfig extends ModelConfig {
  readonly width: number;
  readonly rate: number;
  readonly mode: 'a' | 'b';
}
interface ChildConfig extends BaseConfig {
  readonly layers: readonly number[];
  readonly on: boolean;
}

const BASE = defineSchema<BaseConfig>('Base', {
  width: wholeNumber(4),
  rate: finiteNumber(0.5, { min: 0, below: 1 }),
  mode: oneOf<BaseConfig['mode']>('a', ['a', 'b']),
});
const CHILD = extendSchema<BaseConfig, ChildConfig>(BASE, {
  className: 'Child',
  fields: { width: withDefault(BASE.fields.width, 8), layers: wholeNumbers([3, 2], 2), on: flag(false) },
  finish: (config, _given, fail) => (config.layers.length > config.width ? fail('layers', 'has more entries than width') : config),
});

describe('config schemas', () => {
  it('fill defaults, inheriting the parent fields and overriding their defaults', () => {
    expect(resolveConfig(CHILD)).toEqual({ className: 'Child', width: 8, rate: 0.5, mode: 'a', layers: [3, 2], on: false });
    expect(schemaDefaults(BASE)).toEqual({ width: 4, rate: 0.5, mode: 'a' });
    expect(resolveConfig(CHILD, { width: 3, rate: undefined, on: true })).toMatchObject({ width: 3, rate: 0.5, on: true });
  });

  it('refuse a bad value with a RangeError naming the model and the field', () => {
    const cases: [object, RegExp][] = [
      [{ width: 0 }, /^Child: width must be a whole number >= 1, got 0$/],
      [{ rate: 1 }, /^Child: rate must be a finite number >= 0 and < 1, got 1$/],
      [{ mode: 'c' }, /^Child: mode must be 'a' or 'b', got c$/],
      [{ layers: [3] }, /^Child: layers must be an array of at least 2 whole numbers >= 1/],
      [{ layers: [3, 0] }, /^Child: layers\[1\] must be a whole number >= 1, got 0$/],
      [{ on: 'yes' }, /^Child: on must be true or false/],
      [{ width: 1 }, /^Child: layers has more entries than width$/],
    ];
    for (const [partial, message] of cases) expect(() => resolveConfig(CHILD, partial)).toThrow(message);
    expect(() => resolveConfig(CHILD, { width: -1 })).toThrow(RangeError);
  });

  it('refuse a field the model does not have, naming the fields it has', () => {
    expect(() => resolveConfig(BASE, { layers: [1, 2] })).toThrow("Base has no config field 'layers'; its fields are className, mode, rate, width");
  });

  it('keep defaults apart: a resolved config never shares an array with the schema', () => {
    const config = resolveConfig(CHILD);
    (config.layers as number[]).push(1);
    expect(resolveConfig(CHILD).layers).toEqual([3, 2]);
  });
});

describe('the pieces variants share', () => {
  it('checkWholeCount refuses counts below 1 and fractions', () => {
    expect(() => checkWholeCount('k', 0)).toThrow('k must be a whole number >= 1, got 0');
    expect(() => checkWholeCount('k', 1.5)).toThrow(RangeError);
    expect(() => checkWholeCount('k', 3)).not.toThrow();
  });

  it('tileDraws repeats the batch draw-major', () => {
    const t = tf.tensor2d([[1], [2]]);
    expect(read(tf.tidy(() => tileDraws(t, 3)))).toEqual([1, 2, 1, 2, 1, 2]);
    expect(tileDraws(t, 1)).toBe(t);
    t.dispose();
  });

  it('gaussianLogProbFromNoise equals the density at the reparameterized draw', () => {
    const [fromNoise, atDraw] = tf.tidy(() => {
      const mean = tf.tensor2d([[0.3, -1.2], [2, 0.5]]);
      const logVar = tf.tensor2d([[-0.7, 0.4], [1.1, -2]]);
      const eps = tf.tensor2d([[0.5, -1], [1.5, 0.2]]);
      return [gaussianLogProbFromNoise(logVar, eps), new DiagonalGaussian(mean, logVar).logProb(reparameterize(mean, logVar, eps))];
    });
    const expected = Array.from(atDraw!.dataSync());
    Array.from(fromNoise!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    tf.dispose([fromNoise!, atDraw!]);
  });
});
