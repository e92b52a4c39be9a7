import * as tf from '@tensorflow/tfjs-core';
import {
  SeededRandom,
} from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { iafGatedUpdate } from '../src/iaf-step.js';
import { buildMadeMasks, madeOrdering } from '../src/made-masks.js';
import { MadeNetwork } from '../src/made-network.js';
import { planarConstrainedU, planarFlowStep } from '../src/planar-flow.js';
import { jacobian, logAbsDet } from './jacobian.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('MADE', () => {
  it('builds masks whose paths connect input i to output d exactly when i precedes d in the ordering', () => {
    for (const order of [madeOrdering(5, false), madeOrdering(5, true), [3, 1, 5, 2, 4]]) {
      const hidden = [7, 9];
      const masks = buildMadeMasks(order, hidden);
      // Count paths: input mask [5, 7] · hidden mask [7, 9] · output mask [9, 5].
      const paths = tf.tidy(() =>
        tf.matMul(tf.matMul(tf.tensor2d(masks.hidden[0]!, [5, 7]), tf.tensor2d(masks.hidden[1]!, [7, 9])), tf.tensor2d(masks.output, [9, 5])),
      );
      const values = read(paths);
      order.forEach((di, i) =>
        order.forEach((dd, d) => expect(values[i * 5 + d]! > 0, `input ${i} (degree ${di}) -> output ${d} (degree ${dd})`).toBe(di < dd)),
      );
    }
    expect(() => buildMadeMasks([1, 1, 2], [4])).toThrow(/permutation/);
  });

  it('has an autoregressive Jacobian: ∂output_d/∂z_i = 0 unless z_i comes before d (checked with tf.grad)', () => {
    for (const order of [madeOrdering(4, false), madeOrdering(4, true), [2, 4, 1, 3]]) {
      const made = new MadeNetwork({ dims: 4, contextUnits: 3, hiddenUnits: [16, 12], inputDegrees: order, seed: 7 });
      // Nonzero biases keep the ReLUs open, so allowed entries are generically nonzero.
      made.variables('made').forEach(({ name, variable }) => {
        if (name.endsWith('bias')) variable.assign(tf.tidy(() => tf.add(variable, 0.5)));
      });
      const z = tf.tensor2d([[0.3, -1.1, 0.8, 0.25]]);
      const h = tf.tensor2d([[0.5, -0.2, 1.0]]);
      for (const head of ['m', 's'] as const) {
        const jac = jacobian((input) => made.apply(input, h)[head], z);
        let allowedNonzero = 0;
        order.forEach((dd, d) =>
          order.forEach((di, i) => {
            if (di >= dd) expect(jac[d]![i], `${head}: output ${d} must not see input ${i}`).toBe(0);
            else if (jac[d]![i] !== 0) allowedNonzero++;
          }),
        );
        expect(allowedNonzero).toBeGreaterThan(0);
      }
      tf.dispose([z, h]);
      made.dispose();
    }
  });
});

describe('planar flow step', () => {
  const rng = new SeededRandom(17);
  const cases = Array.from({ length: 6 }, (_, i) => {
    const w = rng.normal([1, 3]);
    // Half the cases start from u = −4w, far outside the invertible region: the reparameterization must fix them.
    const u = i % 2 === 0 ? rng.normal([1, 3]) : tf.tidy(() => tf.mul(-4, w));
    return { u, w, b: rng.normal([1, 1]), z: rng.normal([1, 3]) };
  });

  it('satisfies the invertibility condition wᵀû ≥ −1 after reparameterization', () => {
    const u = tf.tidy(() => tf.concat([new SeededRandom(3).normal([200, 4]), tf.mul(-10, new SeededRandom(4).normal([50, 4]))]));
    const w = tf.tidy(() => tf.concat([new SeededRandom(5).normal([200, 4]), new SeededRandom(4).normal([50, 4])]));
    const raw = read(tf.tidy(() => tf.sum(tf.mul(w, u), 1)));
    expect(raw.filter((v) => v < -1).length).toBeGreaterThan(40); // many start outside the invertible region
    const wu = read(tf.tidy(() => tf.sum(tf.mul(w, planarConstrainedU(u, w)), 1)));
    // wᵀû = m(wᵀu) > −1 exactly; float32 rounds m(a) for a ≪ 0 to −1 within a few ulps of the sum.
    wu.forEach((v, i) => expect(v, `row ${i}: wᵀu = ${raw[i]}`).toBeGreaterThanOrEqual(-1 - 1e-5 * Math.max(1, Math.abs(raw[i]!))));
    // At w = 0 the step is the identity and û = u, with no 0/0.
    expect(read(planarConstrainedU(tf.ones([1, 4]), tf.zeros([1, 4])))).toEqual([1, 1, 1, 1]);
    tf.dispose([u, w]);
  });

  it('reports log|det J| equal to the log-determinant of the numerically computed Jacobian', () => {
    for (const { u, w, b, z } of cases) {
      const { logDet, z: out } = planarFlowStep(z, u, w, b);
      out.dispose();
      const jac = jacobian((input) => planarFlowStep(input, u, w, b).z, z);
      expect(read(logDet)[0]).toBeCloseTo(logAbsDet(jac), 4);
    }
  });

  it('reduces to the identity (log-det 0) when û = 0, i.e. u = log(e − 1) w / ||w||²', () => {
    const w = tf.tensor2d([[0.6, -0.8, 0.5]]);
    const u = tf.tidy(() => tf.mul(Math.log(Math.E - 1) / read(tf.sum(tf.square(w)))[0]!, w));
    const z = tf.tensor2d([[1.5, -0.3, 2.0], [0.0, 0.7, -1.2]]);
    const step = planarFlowStep(z, u, w, tf.tensor2d([[0.4]]));
    const out = read(step.z);
    read(z).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    read(step.logDet).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-6));
  });
});

describe('IAF step', () => {
  it('has log-det Σ log σ equal to the numerical log|det J| of two steps with reversed orderings', () => {
    const made = [false, true].map(
      (reversed, k) => new MadeNetwork({ dims: 4, contextUnits: 2, hiddenUnits: [10], inputDegrees: madeOrdering(4, reversed), seed: 40 + k }),
    );
    const h = tf.tensor2d([[0.3, -0.6]]);
    const flow = (z: tf.Tensor): { z: tf.Tensor; logDet: tf.Tensor } =>
      tf.tidy(() => {
        let current = z;
        const logDets: tf.Tensor[] = [];
        for (const net of made) {
          const { m, s } = net.apply(current, h);
          const step = iafGatedUpdate(current, m, s);
          current = step.z;
          logDets.push(step.logDet);
        }
        return { z: current, logDet: tf.addN(logDets) };
      });
    for (const seed of [1, 2, 3]) {
      const z = new SeededRandom(seed).normal([1, 4]);
      const { z: out, logDet } = flow(z);
      out.dispose();
      const jac = jacobian((input) => flow(input).z, z);
      expect(read(logDet)[0]).toBeCloseTo(logAbsDet(jac), 4);
      z.dispose();
    }
    // One step alone: lower-triangular under its ordering, with σ on the diagonal.
    const z = tf.tensor2d([[0.2, -0.4, 1.1, 0.6]]);
    const jac = jacobian((input) => {
      const { m, s } = made[0]!.apply(input, h);
      return iafGatedUpdate(input, m, s).z;
    }, z);
    const gate = read(tf.tidy(() => tf.sigmoid(made[0]!.apply(z, h).s)));
    for (let d = 0; d < 4; d++) {
      for (let i = d + 1; i < 4; i++) expect(jac[d]![i]).toBe(0);
      expect(jac[d]![d]).toBeCloseTo(gate[d]!, 5);
    }
    made.forEach((net) => net.dispose());
    tf.dispose([h, z]);
  });
});
