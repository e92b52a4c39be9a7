import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseCsv } from '../csv.js';
import type { CsvOptions } from '../csv.js';
import { DataError } from '../data-error.js';
import { npyLayout, parseNpy, parseNpyHeader } from '../npy.js';
import type { LoadedData } from '../types.js';
import { validateData } from '../validate.js';
import type { ValidateDataOptions } from '../validate.js';
import { decodePng, loadPngFolder, type PngFolderOptions } from './png-folder.js';

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export interface NpyFileOptions {
  /**
   * What a uint8 ('u1') array holds: `intensity` (the default), 8-bit pixels, loaded as k/255 in [0, 1]
   * like PNG and IDX images; or `raw`, the numbers 0-255 as they are.
   */
  uint8?: 'intensity' | 'raw';
}

/** Load a .npy file (see parseNpy) and validate it; uint8 arrays are 8-bit pixels unless `uint8: 'raw'`. */
export function loadNpy(path: string, options: Omit<ValidateDataOptions, 'source'> & NpyFileOptions = {}): LoadedData {
  const source = basename(path);
  const { uint8 = 'intensity', ...checks } = options;
  if (uint8 !== 'intensity' && uint8 !== 'raw') throw new DataError(`uint8 must be 'intensity' or 'raw', got '${String(uint8)}'`);
  const bytes = readFile(path);
  const loaded = parseNpy(bytes, source);
  if (uint8 === 'intensity' && npyHoldsBytes(bytes, source)) {
    for (let i = 0; i < loaded.data.length; i++) loaded.data[i]! /= 255;
  }
  return validateData(loaded, { ...checks, source });
}

function npyHoldsBytes(bytes: Uint8Array, source: string): boolean {
  return npyLayout(parseNpyHeader(bytes, source), source).element.code === 'u1';
}

/** Load a numeric CSV file (see parseCsv) and validate it. */
export function loadCsv(
  path: string,
  options: Omit<ValidateDataOptions, 'source'> & { csv?: CsvOptions } = {},
): LoadedData {
  const source = basename(path);
  const { csv, ...checks } = options;
  return validateData(parseCsv(readFile(path).toString('utf8'), source, csv), { ...checks, source });
}

/**
 * Load a folder of same-sized PNGs as [height, width, channels] examples in [0, 1] (grey unless
 * `png.channels` says 3 or 4), and validate it.
 */
export function loadPngs(dir: string, options: Omit<ValidateDataOptions, 'source'> & { png?: PngFolderOptions } = {}): LoadedData {
  const { png, ...checks } = options;
  return validateData(loadPngFolder(dir, png), { ...checks, source: basename(dir) });
}

export type LoadDataFileOptions = Omit<ValidateDataOptions, 'source'> & { csv?: CsvOptions; png?: PngFolderOptions; npy?: NpyFileOptions };

/**
 * Load a user's data by what `path` is: a folder (of PNGs), a .npy, a .csv (or .txt/.tsv) file, or a
 * single .png (one example). The result has passed validateData with `options`.
 */
export function loadDataFile(path: string, options: LoadDataFileOptions = {}): LoadedData {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const { csv, png, npy, ...checks } = options;
  if (isFolder) return loadPngs(path, { ...checks, ...(png ? { png } : {}) });
  switch (extname(path).toLowerCase()) {
    case '.npy':
      return loadNpy(path, { ...checks, ...npy });
    case '.csv':
    case '.txt':
      return loadCsv(path, { ...checks, ...(csv ? { csv } : {}) });
    case '.tsv':
      return loadCsv(path, { ...checks, csv: { delimiter: '\t', ...csv } });
    case '.png': {
      const { channels = 1, ...limits } = png ?? {};
      const image = decodePng(readFile(path), { channels, source: basename(path), limits });
      const loaded = { data: image.data, count: 1, exampleShape: [image.height, image.width, image.channels] };
      return validateData(loaded, { ...checks, source: basename(path) });
    }
    default:
      throw new DataError(
        `${basename(path)}: unsupported data file type; use a .npy file, a .csv file, or a folder of .png images`,
      );
  }
}
