// The CLI consumer's own data: a CSV file of grey levels with structure a VAE can find, written from a
// seed so every run of the test trains on the same bytes.
import fs from 'node:fs';

/** mulberry32: a small seeded generator, enough for test data. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `rows` rows of `columns` values in (0, 1) to `file`, with a header row: each row is a sigmoid of
 * a fixed linear map of two hidden factors, plus a little noise, so the rows lie near a 2-d surface.
 */
export function writeCsv(file, { rows = 300, columns = 16, seed = 7 } = {}) {
  const random = seeded(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const weights = Array.from({ length: columns }, () => [normal() * 1.5, normal() * 1.5, normal() * 0.5]);
  const lines = [Array.from({ length: columns }, (_, j) => `v${j}`).join(',')];
  for (let i = 0; i < rows; i++) {
    const z = [normal(), normal()];
    const values = weights.map(([a, b, c]) => 1 / (1 + Math.exp(-(a * z[0] + b * z[1] + c + 0.1 * normal()))));
    lines.push(values.map((v) => v.toFixed(4)).join(','));
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { rows, columns };
}
