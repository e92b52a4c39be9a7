import { CorruptFileError } from './corrupt-file-error.js';
import type { LoadLimits } from './load-limits.js';

// Far beyond any real config; they stop a crafted one from making the walk itself expensive.
const MAX_DEPTH = 32;
const MAX_VALUES = 10_000;
const MAX_ARRAY_LENGTH = 1024;

/**
 * A sanity cap on the sizes a saved config declares, for models whose registration cannot list their
 * weights before they are built (no `expectedWeights`): no integer above `maxConfigInteger` (seeds
 * aside, which are not sizes) and no list over a thousand entries. It stops the absurd (a layer a
 * million wide) before the model allocates it, but two layers just under the cap could still ask for
 * gigabytes: only `expectedWeights` bounds a build by the bytes the file really holds.
 */
export function checkConfigBounds(config: unknown, source: string, limits: LoadLimits): void {
  let values = 0;
  const walk = (value: unknown, path: string, key: string, depth: number): void => {
    if (++values > MAX_VALUES || depth > MAX_DEPTH) {
      throw new CorruptFileError(`${source} has a config too large or too deep to be a model's`);
    }
    if (typeof value === 'number') {
      if (Number.isInteger(value) && Math.abs(value) > limits.maxConfigInteger && !/seed$/i.test(key)) {
        throw new CorruptFileError(`${source}: its config's ${path} is ${value}, over the limit of ${limits.maxConfigInteger}`);
      }
    } else if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_LENGTH) {
        throw new CorruptFileError(`${source}: its config's ${path} lists ${value.length} values, over the limit of ${MAX_ARRAY_LENGTH}`);
      }
      value.forEach((item, i) => walk(item, `${path}[${i}]`, key, depth + 1));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, item] of Object.entries(value)) {
        // Keys come from the file: printable and short in the message, whatever they hold.
        const shown = k.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
        walk(item, path ? `${path}.${shown}` : shown, k, depth + 1);
      }
    }
  };
  walk(config, '', '', 0);
}
