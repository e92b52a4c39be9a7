// Files the checks make and compare: folder hashes (to show a refused command changed nothing), generated
// data files, and the library's own decoders for what the CLI wrote.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './cli.mjs';

/**
 * Each file under `path` (or `path` itself, when it is a file) with a hash of its bytes, by relative name.
 * @param {string} path
 * @returns {Map<string, string>}
 */
export function fileHashes(path) {
  /** @type {Map<string, string>} */
  const out = new Map();
  if (!existsSync(path)) return out;
  const walk = (/** @type {string} */ p, /** @type {string} */ name) => {
    const stat = lstatSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p).sort()) walk(join(p, entry), name ? `${name}/${entry}` : entry);
    } else {
      out.set(name || '.', stat.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16) : 'special');
    }
  };
  walk(path, '');
  return out;
}

/**
 * What changed between two fileHashes maps, in words ('' when nothing did).
 * @param {Map<string, string>} before
 * @param {Map<string, string>} after
 */
export function describeChanges(before, after) {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
  return [
    added.length ? `added ${added.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    changed.length ? `rewritten with other bytes: ${changed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * A float32 .npy file of `rows` x `columns` values from `value(row, column)`.
 * @param {string} path
 * @param {number} rows
 * @param {number} columns
 * @param {(row: number, column: number) => number} value
 */
export function writeNpy(path, rows, columns, value) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const bytes = Buffer.alloc(10 + header.length + rows * columns * 4);
  bytes.write('\x93NUMPY', 0, 'latin1');
  bytes[6] = 1;
  bytes[7] = 0;
  bytes.writeUInt16LE(header.length, 8);
  bytes.write(header, 10, 'latin1');
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) bytes.writeFloatLE(value(r, c), 10 + header.length + (r * columns + c) * 4);
  writeFileSync(path, bytes);
}

/** @type {Promise<any> | null} */
let core = null;

/** @vaekit/core as built (packages/core/dist): its container and checkpoint decoders need no backend. */
export function vaekitCore() {
  core ??= import(pathToFileURL(join(ROOT, 'packages', 'core', 'dist', 'index.js')).href);
  return core;
}

/** @type {Promise<any> | null} */
let coreInternal = null;

/** @vaekit/core/internal as built: the container codec, which core keeps out of its public entry. */
export function vaekitCoreInternal() {
  coreInternal ??= import(pathToFileURL(join(ROOT, 'packages', 'core', 'dist', 'internal.js')).href);
  return coreInternal;
}

/**
 * The step a checkpoint file holds; throws (the library's CorruptFileError) when it does not decode.
 * @param {string} path
 * @returns {Promise<number>}
 */
export async function checkpointStep(path) {
  const { decodeCheckpoint } = await vaekitCore();
  const decoded = await decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  return decoded.state.step;
}

/**
 * The bytes of a model file's weights section (every weight, in order).
 * @param {string} path
 * @returns {Promise<Uint8Array>}
 */
export async function modelWeights(path) {
  const { decodeContainer } = await vaekitCoreInternal();
  const container = await decodeContainer(new Uint8Array(readFileSync(path)), 'vaekit-model', path);
  return container.section('weights');
}

/**
 * Writes a copy of model file `from` to `to` with its header's meta (config and weight list) edited by
 * `editMeta` and its weight bytes by `editWeights`, properly re-encoded (a valid container, checksums
 * and all), so the loader's own checks are what refuses it, not the checksum.
 * @param {string} from
 * @param {string} to
 * @param {(meta: { config: Record<string, any>, weights: { name: string, shape: number[], dtype: string }[] }) => void} [editMeta]
 * @param {(weights: Uint8Array) => Uint8Array} [editWeights]
 */
export async function craftModel(from, to, editMeta = () => {}, editWeights = (w) => w) {
  const { decodeContainer, encodeContainer } = await vaekitCoreInternal();
  const container = await decodeContainer(new Uint8Array(readFileSync(from)), 'vaekit-model', from);
  const meta = structuredClone(container.header.meta);
  editMeta(meta);
  const weights = editWeights(new Uint8Array(container.section('weights')));
  writeFileSync(to, await encodeContainer('vaekit-model', meta, { weights }));
}
