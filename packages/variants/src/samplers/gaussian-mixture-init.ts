import type { SeededRandom } from '@vaekit/core';
import { flooredCholesky, scatterOf } from './gaussian-mixture-linalg.js';
import type { CodeTable, GaussianMixture } from './gaussian-mixture-types.js';

/** Lloyd rounds after the k-means++ seeding: enough to settle the clusters EM then refines. */
const LLOYD_ROUNDS = 20;

/**
 * EM's starting mixture: k-means++ centres refined by a few Lloyd rounds, each cluster giving a
 * component its share of the examples, its mean and its covariance. A cluster of no more examples than
 * dimensions has no full-rank covariance of its own and starts with the data's overall one instead,
 * so EM does not begin with a component squeezed onto a few points.
 */
export function initialMixture(codes: CodeTable, k: number, floor: number, spread: Float64Array, random: SeededRandom): GaussianMixture {
  const { rows, size: d } = codes;
  const centres = kMeansPlusPlus(codes, k, random);
  const assignment = lloyd(codes, centres, k);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < rows; i++) members[assignment[i]!]!.push(i);
  const weights = new Float64Array(k);
  const choleskyFactors = new Float64Array(k * d * d);
  for (let j = 0; j < k; j++) {
    const rowsOfJ = members[j]!;
    weights[j] = rowsOfJ.length / rows;
    const covariance = rowsOfJ.length > d ? scatterOf(codes, rowsOfJ) : spread;
    choleskyFactors.set(flooredCholesky(covariance, d, floor), j * d * d);
  }
  return { k, d, weights, means: centres, choleskyFactors };
}

/** k centres [k, d] chosen by k-means++: the first uniformly, each next with probability ∝ squared distance to the nearest chosen. */
export function kMeansPlusPlus(codes: CodeTable, k: number, random: SeededRandom): Float64Array {
  const { rows, size: d, values } = codes;
  const centres = new Float64Array(k * d);
  const nearest = new Float64Array(rows).fill(Infinity);
  let chosen = Math.floor(random.nextFloat() * rows);
  for (let j = 0; j < k; j++) {
    centres.set(values.subarray(chosen * d, (chosen + 1) * d), j * d);
    let total = 0;
    for (let i = 0; i < rows; i++) {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(values, i * d, centres, j * d, d));
      total += nearest[i]!;
    }
    if (j + 1 === k) break;
    // Every example already sits on a centre (repeated codes): any of them is as good as another.
    if (!(total > 0)) {
      chosen = Math.floor(random.nextFloat() * rows);
      continue;
    }
    let target = random.nextFloat() * total;
    chosen = rows - 1;
    for (let i = 0; i < rows; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  return centres;
}

/**
 * Lloyd's k-means from the given centres, updated in place; returns each example's cluster. A cluster
 * left empty takes over the example farthest from its own centre, so every component starts with data.
 */
function lloyd(codes: CodeTable, centres: Float64Array, k: number): Int32Array {
  const { rows, size: d, values } = codes;
  const assignment = new Int32Array(rows).fill(-1);
  const distances = new Float64Array(rows);
  for (let round = 0; round < LLOYD_ROUNDS; round++) {
    let changed = false;
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let j = 0; j < k; j++) {
        const distance = squaredDistance(values, i * d, centres, j * d, d);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = j;
        }
      }
      distances[i] = bestDistance;
      if (assignment[i] !== best) changed = true;
      assignment[i] = best;
    }
    const counts = new Int32Array(k);
    for (let i = 0; i < rows; i++) counts[assignment[i]!]!++;
    for (let j = 0; j < k; j++) {
      if (counts[j] !== 0) continue;
      // Some cluster holds two or more examples, since there are at least k of them.
      let farthest = -1;
      for (let i = 0; i < rows; i++) {
        if (counts[assignment[i]!]! > 1 && (farthest < 0 || distances[i]! > distances[farthest]!)) farthest = i;
      }
      counts[assignment[farthest]!]!--;
      assignment[farthest] = j;
      distances[farthest] = 0;
      counts[j] = 1;
      changed = true;
    }
    centres.fill(0);
    for (let i = 0; i < rows; i++) {
      const j = assignment[i]!;
      for (let a = 0; a < d; a++) centres[j * d + a] = centres[j * d + a]! + values[i * d + a]!;
    }
    for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) centres[j * d + a] = centres[j * d + a]! / counts[j]!;
    if (!changed) break;
  }
  return assignment;
}

function squaredDistance(x: Float64Array, xOffset: number, y: Float64Array, yOffset: number, d: number): number {
  let sum = 0;
  for (let a = 0; a < d; a++) {
    const delta = x[xOffset + a]! - y[yOffset + a]!;
    sum += delta * delta;
  }
  return sum;
}
