// Writes the synthetic colour-shapes data set (@vaekit/data's generateShapes) as an 8-bit .npy file that
// `vaekit train --data` reads, and a picture of its first images to look at.
//   node scripts/make-shapes.mjs --count 20000 --out data/shapes.npy [--size 32] [--seed 0] [--preview data/shapes.png]
// Needs the built packages (`pnpm build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateShapes, tileImages } from '../packages/data/dist/index.js';
import { writePng } from '../packages/data/dist/node/index.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    size: { type: 'string', default: '32' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
    preview: { type: 'string' },
  },
});
if (!values.out) {
  console.error('usage: node scripts/make-shapes.mjs --out FILE.npy [--count N] [--size S] [--seed K] [--preview FILE.png]');
  process.exit(2);
}
const count = Number(values.count);
const size = Number(values.size);
const { data, exampleShape } = generateShapes({ count, size, seed: Number(values.seed) });

const bytes = Uint8Array.from(data, (v) => Math.round(v * 255));
let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${[count, ...exampleShape].join(', ')}), }`;
// The magic, version and length take 10 bytes; the header is padded with spaces to a multiple of 64, ending in a newline.
header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
const prefix = Buffer.alloc(10);
Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0]).copy(prefix);
prefix.writeUInt16LE(header.length, 8);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, Buffer.concat([prefix, Buffer.from(header, 'latin1'), bytes]));
console.log(`wrote ${count} images of ${exampleShape.join('x')} to ${values.out} (${(bytes.length / 1e6).toFixed(1)} MB)`);

if (values.preview) {
  const shown = Math.min(count, 64);
  writePng(values.preview, tileImages(data.subarray(0, shown * size * size * 3), shown, size, size, { channels: 3, columns: 8 }));
  console.log(`wrote a picture of the first ${shown} to ${values.preview}`);
}
