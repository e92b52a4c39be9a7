// The files README snippets read as if they were the reader's own, written into each snippet's folder
// before it runs. Add one here when a new snippet reads a file it does not write itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} dir */
export function writeFixtures(dir) {
  writeFileSync(join(dir, 'digits.npy'), digitsNpy(8));
}

/** `digits.npy`: `count` 28x28 float32 images with values in [0, 1], as NumPy's `np.save` writes them (format 1.0). */
function digitsNpy(/** @type {number} */ count) {
  const values = new Float32Array(count * 28 * 28).map((_, i) => ((i * 37) % 101) / 100);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, 28, 28), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix.writeUInt8(1, 6);
  prefix.writeUInt8(0, 7);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]);
}
