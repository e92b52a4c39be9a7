import { prototypeDataset, SeededRandom, type Dataset, type LikelihoodSupport } from '@vaekit/core';
import { valuesDataset } from '@vaekit/core/internal';

/** How far the grey levels sit from the edges of [0, 1], and how much seeded noise each value carries. */
const DARK = 0.2;
const LIGHT = 0.8;
const GREY_NOISE = 0.05;
/** Noise on the real-valued prototypes (±1) before standardizing. */
const REAL_NOISE = 0.25;

/**
 * A small, learnable data set of any example shape in a likelihood's support, built in JavaScript from a
 * seed so it is identical on every backend. Every support has the same structure, the binary prototypes
 * of `prototypeDataset` (four random patterns, ~5% of each example's values flipped), so a model can
 * learn it in a few epochs whatever it models:
 * - `binary`: those prototypes;
 * - `unit-interval`: them as grey levels, 0.2 and 0.8 plus seeded noise, clipped to [0, 1];
 * - `eight-bit`: those grey levels rounded to the 256 levels k/255;
 * - `real`: them as -1 and 1 plus seeded Gaussian noise, standardized to mean 0 and variance 1.
 */
export function supportDataset(
  support: LikelihoodSupport,
  exampleShape: readonly number[],
  size = 64,
  seed = 11,
): Dataset & { values: Float32Array } {
  const binary = prototypeDataset(exampleShape, size, seed);
  if (support === 'binary') return binary;
  const values = mapIntoSupport(support, binary.values, new SeededRandom(seed ^ 0x2c1b_3c6d));
  return valuesDataset(values, exampleShape, false);
}

function mapIntoSupport(support: Exclude<LikelihoodSupport, 'binary'>, bits: Float32Array, rng: SeededRandom): Float32Array {
  switch (support) {
    case 'unit-interval':
      return bits.map((bit) => greyLevel(bit, rng));
    case 'eight-bit':
      return bits.map((bit) => Math.round(greyLevel(bit, rng) * 255) / 255);
    case 'real':
      return standardize(bits.map((bit) => 2 * bit - 1 + REAL_NOISE * standardNormal(rng)));
  }
}

function greyLevel(bit: number, rng: SeededRandom): number {
  const level = (bit === 1 ? LIGHT : DARK) + GREY_NOISE * standardNormal(rng);
  return Math.min(1, Math.max(0, level));
}

/** One standard-normal draw by Box–Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
function standardNormal(rng: SeededRandom): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

function standardize(values: Float32Array): Float32Array {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return values.map((v) => (v - mean) / sd);
}
