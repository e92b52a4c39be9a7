// Finds the TypeScript code blocks of the repository's markdown: what `check.mjs` type-checks and runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The info-string languages checked; other blocks (sh, js, json, …) are left alone. */
export const CHECKED_LANGUAGES = new Set(['ts', 'typescript']);

/** The one marker a checked block may carry: `no-run: <reason>` (type-checked, not executed). */
export const NO_RUN_MARKER = 'no-run';

/**
 * The markdown files whose TypeScript blocks are checked, relative to `root`: README.md, every
 * packages/* and apps/* README.md, and docs/*.md.
 * @param {string} root
 * @returns {string[]}
 */
export function markdownFiles(root) {
  const files = ['README.md'];
  for (const group of ['packages', 'apps']) {
    for (const name of listDir(join(root, group))) files.push(`${group}/${name}/README.md`);
  }
  for (const name of listDir(join(root, 'docs'))) if (name.endsWith('.md')) files.push(`docs/${name}`);
  return files.filter((file) => existsSync(join(root, file)));
}

/**
 * @typedef {object} Snippet
 * @property {string} file markdown file, relative to the repository root
 * @property {number} line 1-based line of the opening fence; the code's line n is the file's line + n
 * @property {number} indent columns the block is indented by (inside a list item), added back to columns
 * @property {string} language
 * @property {string} code
 * @property {string | null} noRun the stated reason when the fence says `no-run: <reason>`
 * @property {string | null} problem what is wrong with the fence line itself (an unknown marker, no reason)
 */

/**
 * Every checked block of `root`'s markdown files.
 * @param {string} root
 * @returns {Snippet[]}
 */
export function collectSnippets(root) {
  return markdownFiles(root).flatMap((file) => fencedSnippets(readFileSync(join(root, file), 'utf8'), file));
}

/**
 * The checked blocks of one markdown text (CommonMark fences: three or more backticks or tildes, indented
 * up to the list item they sit in, closed by a fence of the same character at least as long).
 * @param {string} markdown
 * @param {string} file
 * @returns {Snippet[]}
 */
export function fencedSnippets(markdown, file) {
  const lines = markdown.split(/\r?\n/);
  /** @type {Snippet[]} */
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indentText = '', fence = '', info = ''] = open;
    const end = closingLine(lines, i + 1, fence);
    const [language = '', ...rest] = info.trim().split(/\s+/);
    if (CHECKED_LANGUAGES.has(language.toLowerCase())) {
      const body = lines.slice(i + 1, end).map((text) => stripIndent(text, indentText.length));
      snippets.push({
        file,
        line: i + 1,
        indent: indentText.length,
        language,
        code: `${body.join('\n')}\n`,
        ...parseMarkers(rest.join(' ')),
      });
    }
    i = end;
  }
  return snippets;
}

/**
 * @param {string} markers what follows the language on the fence line
 * @returns {{ noRun: string | null, problem: string | null }}
 */
export function parseMarkers(markers) {
  if (markers === '') return { noRun: null, problem: null };
  const noRun = new RegExp(`^${NO_RUN_MARKER}(?::\\s*(.*))?$`).exec(markers);
  if (!noRun) {
    return {
      noRun: null,
      problem: `unknown marker '${markers}' on the fence line: the only one is '${NO_RUN_MARKER}: <why it cannot run in Node>'`,
    };
  }
  const reason = (noRun[1] ?? '').trim();
  if (reason === '') {
    return { noRun: null, problem: `'${NO_RUN_MARKER}' needs a reason: '${NO_RUN_MARKER}: <why it cannot run in Node>'` };
  }
  return { noRun: reason, problem: null };
}

/** The index of the line closing a fence opened with `fence`, or the end of the text (an unclosed block runs to the end). */
function closingLine(/** @type {string[]} */ lines, /** @type {number} */ from, /** @type {string} */ fence) {
  const closing = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
  for (let j = from; j < lines.length; j++) if (closing.test(lines[j] ?? '')) return j;
  return lines.length;
}

/** Removes up to `indent` leading spaces, as CommonMark does for the content of an indented fence. */
function stripIndent(/** @type {string} */ text, /** @type {number} */ indent) {
  const leading = /^ */.exec(text)?.[0].length ?? 0;
  return text.slice(Math.min(leading, indent));
}

function listDir(/** @type {string} */ dir) {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
