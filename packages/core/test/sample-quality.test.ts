import { describe, expect, it } from 'vitest';
import {
  frechetDistance,
  precisionRecall,
  SeededRandom,
  symmetricEigen,
  symmetricSqrt,
  type FeatureMatrix,
} from '../src/index.js';

/** rows × dims standard-normal draws, scaled per dim by `scales` and shifted by `shift`. */
function gaussianSet(seed: number, rows: number, dims: number, scales: readonly number[] = [], shift: readonly number[] = []): FeatureMatrix & { readonly values: Float64Array } {
  const rng = new SeededRandom(seed);
  const values = new Float64Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dims; d++) {
      const u = 1 - rng.nextFloat();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
      values[r * dims + d] = normal * (scales[d] ?? 1) + (shift[d] ?? 0);
    }
  }
  return { values, rows, dims };
}

/** A set whose mean and covariance are exactly those asked for: ±σ pairs around the mean in each dim. */
function exactDiagonalSet(means: readonly number[], sigmas: readonly number[]): FeatureMatrix {
  const dims = means.length;
  // 2·dims rows: row 2d and 2d+1 differ from the mean only in dim d, by ±σ√dims·√((2dims−1)/(2dims))…
  // simpler: rows ±σ_d·√(n−1)/√2 in dim d gives sample variance σ_d² over n = 2·dims rows.
  const rows = 2 * dims;
  const values = new Float64Array(rows * dims);
  for (let d = 0; d < dims; d++) {
    const step = sigmas[d]! * Math.sqrt((rows - 1) / 2);
    for (let e = 0; e < dims; e++) {
      values[2 * d * dims + e] = means[e]!;
      values[(2 * d + 1) * dims + e] = means[e]!;
    }
    values[2 * d * dims + d] = means[d]! + step;
    values[(2 * d + 1) * dims + d] = means[d]! - step;
  }
  return { values, rows, dims };
}

describe('symmetricEigen', () => {
  it('finds the eigenpairs of a symmetric matrix: A v = λ v with orthonormal v', () => {
    const n = 12;
    const rng = new SeededRandom(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.nextFloat() - 0.5;
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[i * n + k]!, 10);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + k]! * vectors[i * n + l]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 10);
      }
    }
  });

  it('squares its square root back to the matrix', () => {
    const n = 5;
    const set = gaussianSet(4, 50, n);
    // A Gram matrix is positive semi-definite.
    const g = new Float64Array(n * n);
    for (let r = 0; r < 50; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j]! += (set.values[r * n + i] as number) * (set.values[r * n + j] as number);
    const root = symmetricSqrt(g, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += root[i * n + k]! * root[k * n + j]!;
        expect(sum).toBeCloseTo(g[i * n + j]!, 8);
      }
    }
  });
});

describe('frechetDistance', () => {
  it('is 0 for identical sets', () => {
    const set = gaussianSet(1, 300, 16);
    expect(frechetDistance(set, set)).toBeLessThan(1e-8);
  });

  it('is the squared shift for sets that differ by a constant shift', () => {
    const a = gaussianSet(2, 200, 8);
    const shift = [1, -2, 0.5, 0, 0, 3, 0, -1];
    const b = { ...a, values: a.values.map((v, i) => v + shift[i % 8]!) } as FeatureMatrix;
    const squaredShift = shift.reduce((s, x) => s + x * x, 0);
    expect(frechetDistance(a, b)).toBeCloseTo(squaredShift, 8);
  });

  it('matches the closed form for diagonal covariances: Σ (μa−μb)² + (σa−σb)²', () => {
    const meansA = [0, 1, 2, -1];
    const meansB = [0.5, 1, 0, -1];
    const sigmasA = [1, 2, 0.5, 3];
    const sigmasB = [2, 2, 1.5, 0.25];
    const a = exactDiagonalSet(meansA, sigmasA);
    const b = exactDiagonalSet(meansB, sigmasB);
    let expected = 0;
    for (let d = 0; d < 4; d++) expected += (meansA[d]! - meansB[d]!) ** 2 + (sigmasA[d]! - sigmasB[d]!) ** 2;
    expect(frechetDistance(a, b)).toBeCloseTo(expected, 9);
  });

  it('grows with the gap between two Gaussian samples and is symmetric', () => {
    const a = gaussianSet(5, 2000, 32);
    const near = gaussianSet(6, 2000, 32);
    const far = gaussianSet(7, 2000, 32, Array(32).fill(2));
    const dNear = frechetDistance(a, near);
    const dFar = frechetDistance(a, far);
    expect(dNear).toBeLessThan(1);
    // σ 1 → 2 in 32 dims: 32 · (2 − 1)² = 32.
    expect(dFar).toBeGreaterThan(28);
    expect(dFar).toBeLessThan(36);
    expect(frechetDistance(far, a)).toBeCloseTo(dFar, 6);
  });

  it('refuses sets of different widths, too few rows or non-finite values', () => {
    const a = gaussianSet(1, 10, 4);
    expect(() => frechetDistance(a, gaussianSet(1, 10, 5))).toThrow(/4 and 5 dims/);
    expect(() => frechetDistance(a, { values: [1, 2, 3, 4], rows: 1, dims: 4 })).toThrow(/at least 2 rows/);
    expect(() => frechetDistance(a, { values: [1, 2, 3], rows: 1, dims: 4 })).toThrow(/do not fill/);
    expect(() => frechetDistance(a, { values: [1, 2, 3, Number.NaN, 1, 1, 1, 1], rows: 2, dims: 4 })).toThrow(/not finite/);
  });
});

describe('precisionRecall', () => {
  it('gives both high for two samples of one distribution', () => {
    const { precision, recall } = precisionRecall(gaussianSet(10, 1000, 16), gaussianSet(11, 1000, 16));
    expect(precision).toBeGreaterThan(0.6);
    expect(recall).toBeGreaterThan(0.6);
  });

  it('gives high precision and low recall when the generated set collapses on one mode', () => {
    // Real: two modes 20 apart; generated: only the first.
    const modeA = gaussianSet(12, 500, 8);
    const modeB = gaussianSet(13, 500, 8, [], Array(8).fill(20));
    const real = { values: Float64Array.from([...modeA.values, ...modeB.values]), rows: 1000, dims: 8 };
    const generated = gaussianSet(14, 1000, 8);
    const { precision, recall } = precisionRecall(real, generated);
    expect(precision).toBeGreaterThan(0.7);
    expect(recall).toBeLessThan(0.55);
  });

  it('gives both about 0 when the generated set lies far away', () => {
    const { precision, recall } = precisionRecall(gaussianSet(15, 500, 8), gaussianSet(16, 500, 8, [], Array(8).fill(30)));
    expect(precision).toBe(0);
    expect(recall).toBe(0);
  });

  it('counts a point on a ball boundary as inside and honours k', () => {
    // Real points on a line 0, 1, 2, 3; with k = 1 each radius is 1; a generated point at 4 lies on 3's ball.
    const real = { values: [0, 1, 2, 3], rows: 4, dims: 1 };
    const generated = { values: [4, 10, 11, 12], rows: 4, dims: 1 };
    expect(precisionRecall(real, generated, { k: 1 }).precision).toBe(0.25);
    // Generated radii with k = 1 are 1, 1, 1, 6: 4's ball reaches down to −2 and covers every real point.
    expect(precisionRecall(real, generated, { k: 1 }).recall).toBe(1);
    expect(() => precisionRecall(real, generated, { k: 0 })).toThrow(/k must be/);
    expect(() => precisionRecall(real, generated, { k: 4 })).toThrow(/at least 5 rows/);
  });

  it('handles thousands of points of 128 dims tile by tile', { timeout: 300_000 }, () => {
    const real = gaussianSet(20, 2000, 128);
    const generated = gaussianSet(21, 2000, 128);
    const started = performance.now();
    const { precision, recall } = precisionRecall(real, generated);
    const seconds = (performance.now() - started) / 1000;
    expect(precision).toBeGreaterThan(0.5);
    expect(recall).toBeGreaterThan(0.5);
    // Generous: the machine is shared; the point is that it finishes, in bounded memory.
    expect(seconds).toBeLessThan(240);
  });
});
