// @ts-check
// vaekit's patch to @tensorflow/tfjs-node 4.22's N-API binding: two source files of our own
// (vaekit_extensions.cc/.h, beside this file) copied into tfjs-node's binding/ folder, and four one-line
// insertions into tfjs-node's own files that compile them in and call them. See README.md beside this file.
//
// Applied as edits rather than with `patch(1)` so that it needs no tool beyond Node, can say exactly which
// anchor it did not find, and can be undone exactly: every inserted line sits between two marker lines, and
// removing the marked blocks gives back tfjs-node's original bytes.
//
// Files are never written in place. pnpm's node_modules/.pnpm files can be hard links into its
// content-addressed store, where writing through the link would change the store's copy for every project
// on the machine; a new file renamed over the old name only changes this install's directory entry.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The extensions' version, `binding.vaekitExtensions` (kExtensionsVersion in vaekit_extensions.cc). */
export const NATIVE_PATCH_VERSION = 2;

const MARK = 'vaekit-native-patch';
const MARKER_LINE = new RegExp(`^\\s*(?://|#) ${MARK} (begin|end)\\b`);

/**
 * @typedef {object} Insertion
 * @property {string} file path inside the tfjs-node package
 * @property {string} anchor a line that must occur exactly once in the original file (trailing blanks aside)
 * @property {'before' | 'after'} where
 * @property {'//' | '#'} comment the file's line-comment syntax, for the marker lines
 * @property {string[]} lines what goes in
 */

/** @type {readonly Insertion[]} */
const INSERTIONS = [
  {
    // Before, not after, the last entry: gyp reads Python literals, where two adjacent strings without a
    // comma between them would merge into one file name.
    file: 'binding.gyp',
    anchor: "      'binding/tfjs_backend.cc',",
    where: 'before',
    comment: '#',
    lines: ["      'binding/vaekit_extensions.cc',"],
  },
  {
    file: 'binding/tfjs_backend.h',
    anchor: '  bool is_gpu_device;',
    where: 'after',
    comment: '//',
    lines: [
      '  TFE_Context *vaekit_context() const { return tfe_context_; }',
      // Collectives rename the context's devices; tfjs-node copies each new tensor to this (private) name.
      '  void vaekit_set_device(const std::string &name, bool gpu) { device_name = name; is_gpu_device = gpu; }',
    ],
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '#include "utils.h"',
    where: 'after',
    comment: '//',
    lines: ['#include "vaekit_extensions.h"'],
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '  return exports;',
    where: 'before',
    comment: '//',
    lines: ['  vaekit::DefineExtensions(env, exports);'],
  },
];

/** Our own sources: name in this folder -> path inside the tfjs-node package. */
const ADDED_FILES = {
  'vaekit_extensions.cc': 'binding/vaekit_extensions.cc',
  'vaekit_extensions.h': 'binding/vaekit_extensions.h',
};

/** @returns {Map<string, string>} package path -> the content we put there */
function addedFiles() {
  const files = new Map();
  for (const [name, target] of Object.entries(ADDED_FILES)) {
    files.set(target, fs.readFileSync(path.join(HERE, name), 'utf8'));
  }
  return files;
}

/**
 * Identifies this patch's exact content, so a build stamp can tell an addon built from it from one built
 * from an older or newer patch of the same version.
 */
export function nativePatchId() {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: NATIVE_PATCH_VERSION, insertions: INSERTIONS }));
  for (const [target, content] of addedFiles()) hash.update(`\0${target}\0${content}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The file with every marked block removed: tfjs-node's original when only this patch touched it.
 * @param {string} text @param {string} file for messages
 * @returns {{ ok: true, text: string } | { ok: false, reason: string }}
 */
function strip(text, file) {
  /** @type {string[]} */
  const out = [];
  let inside = false;
  for (const line of text.split('\n')) {
    const marker = MARKER_LINE.exec(line);
    if (marker) {
      const begins = marker[1] === 'begin';
      if (begins === inside) return { ok: false, reason: `${file} has an unbalanced ${MARK} ${marker[1]} marker` };
      inside = begins;
      continue;
    }
    if (!inside) out.push(line);
  }
  if (inside) return { ok: false, reason: `${file} has a ${MARK} block that never ends` };
  return { ok: true, text: out.join('\n') };
}

/**
 * @param {string} original @param {Insertion[]} insertions all for one file
 * @returns {{ ok: true, text: string } | { ok: false, reason: string }}
 */
function insert(original, insertions) {
  const lines = original.split('\n');
  /** @type {Map<number, { before: string[], after: string[] }>} */
  const at = new Map();
  for (const ins of insertions) {
    /** @type {number[]} */
    const hits = [];
    lines.forEach((line, i) => {
      if (line.trimEnd() === ins.anchor) hits.push(i);
    });
    if (hits.length !== 1) {
      const found = hits.length === 0 ? 'not found' : `found ${hits.length} times`;
      return { ok: false, reason: `the line \`${ins.anchor.trim()}\` in ${ins.file} is ${found}` };
    }
    const indent = /^\s*/.exec(ins.lines[0] ?? '')?.[0] ?? '';
    const block = [`${indent}${ins.comment} ${MARK} begin (vaekit ${NATIVE_PATCH_VERSION})`, ...ins.lines, `${indent}${ins.comment} ${MARK} end`];
    const slot = at.get(/** @type {number} */ (hits[0])) ?? { before: [], after: [] };
    slot[ins.where].push(...block);
    at.set(/** @type {number} */ (hits[0]), slot);
  }
  /** @type {string[]} */
  const out = [];
  lines.forEach((line, i) => {
    const slot = at.get(i);
    if (slot) out.push(...slot.before);
    out.push(line);
    if (slot) out.push(...slot.after);
  });
  return { ok: true, text: out.join('\n') };
}

/**
 * Writes `content` to `file` through a new file renamed over it (see the top of this file for why).
 * @param {string} file @param {string} content
 */
function replaceFile(file, content) {
  const temp = `${file}.vaekit-${process.pid}.tmp`;
  let mode = 0o644;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // A file we add: the default mode.
  }
  try {
    fs.writeFileSync(temp, content, { mode });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** @param {string} file @returns {string | undefined} */
function readIfThere(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * What each touched file must hold for the patch to be (`apply`) or not be (`remove`) in place, worked
 * out without writing anything.
 * @param {string} tfjsNodeDir @param {'apply' | 'remove'} goal
 * @returns {{ ok: true, writes: Map<string, string | null> } | { ok: false, reason: string }} null: delete
 */
function plan(tfjsNodeDir, goal) {
  /** @type {Map<string, string | null>} */
  const writes = new Map();
  /** @type {Map<string, Insertion[]>} */
  const byFile = new Map();
  for (const ins of INSERTIONS) byFile.set(ins.file, [...(byFile.get(ins.file) ?? []), ins]);
  for (const [file, insertions] of byFile) {
    const current = readIfThere(path.join(tfjsNodeDir, file));
    if (current === undefined) return { ok: false, reason: `${file} is missing from tfjs-node` };
    const original = strip(current, file);
    if (!original.ok) return original;
    const wanted = goal === 'apply' ? insert(original.text, insertions) : original;
    if (!wanted.ok) return wanted;
    if (wanted.text !== current) writes.set(file, wanted.text);
  }
  for (const [file, content] of addedFiles()) {
    const current = readIfThere(path.join(tfjsNodeDir, file));
    if (goal === 'apply' && current !== content) writes.set(file, content);
    if (goal === 'remove' && current !== undefined) writes.set(file, null);
  }
  return { ok: true, writes };
}

/**
 * @typedef {{ ok: true, changed: string[] } | { ok: false, reason: string }} PatchResult
 *   changed: the package paths written (empty when the patch was already in place)
 */

/**
 * @param {string} tfjsNodeDir @param {Map<string, string | null>} writes @param {'apply' | 'remove'} goal
 * @returns {string[]} the package paths written, in order
 */
function write(tfjsNodeDir, writes, goal) {
  const ours = new Set(Object.values(ADDED_FILES));
  // tfjs-node's sources must never name one of our files while it is missing: when applying, ours go in
  // first; when removing, they go last.
  const files = [...writes.keys()];
  const order = [...files.filter((f) => ours.has(f) === (goal === 'apply')), ...files.filter((f) => ours.has(f) !== (goal === 'apply'))];
  for (const file of order) {
    const content = writes.get(file);
    const at = path.join(tfjsNodeDir, file);
    if (content === null || content === undefined) fs.rmSync(at, { force: true });
    else replaceFile(at, content);
  }
  return order;
}

/**
 * Puts the patch into the tfjs-node package in `tfjsNodeDir`. Idempotent: when it is already there nothing
 * is written (`changed` is empty); an older version of it is replaced. Either every file is checked to be
 * patchable before any is written, or nothing is written and `reason` says which line was not found.
 * @param {string} tfjsNodeDir @returns {PatchResult}
 */
export function applyNativePatch(tfjsNodeDir) {
  const planned = plan(tfjsNodeDir, 'apply');
  if (!planned.ok) return planned;
  return { ok: true, changed: write(tfjsNodeDir, planned.writes, 'apply') };
}

/**
 * Takes the patch out again, giving back tfjs-node's original sources (the setup's fallback when the patched
 * binding does not compile).
 * @param {string} tfjsNodeDir @returns {PatchResult}
 */
export function removeNativePatch(tfjsNodeDir) {
  const planned = plan(tfjsNodeDir, 'remove');
  if (!planned.ok) return planned;
  return { ok: true, changed: write(tfjsNodeDir, planned.writes, 'remove') };
}
