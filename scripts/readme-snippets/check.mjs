// Checks the README snippets: every ```ts block of the markdown `extract.mjs` lists is type-checked with the
// packages' settings and run with Node against the built packages, each in a folder of its own under a time
// limit. A block marked `no-run: <reason>` on its fence line is type-checked only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSnippet } from './execute.mjs';
import { collectSnippets, NO_RUN_MARKER } from './extract.mjs';
import { writeFixtures } from './fixtures.mjs';
import { typecheckSnippets } from './typecheck.mjs';
import { prepareWorkDir, snippetFileName } from './workspace.mjs';

/** Each snippet's time limit: a README example that trains must stay small. */
export const DEFAULT_TIMEOUT_MS = 60_000;

const HOW_TO_FIX =
  `Fix the block's code; a block that cannot run in Node (browser-only) is marked on its fence line, ` +
  `\`\`\`ts ${NO_RUN_MARKER}: <reason>, and is still type-checked (CONTRIBUTING.md, "README snippets").`;

/**
 * @typedef {import('./extract.mjs').Snippet} Snippet
 * @typedef {object} PreparedSnippet
 * @property {Snippet} snippet
 * @property {string} name where it is: `file:line`
 * @property {string} source the .mts it was written to
 * @property {string} compiled the .mjs it compiled to
 * @property {string} runDir
 * @property {string[]} problems fence-line and type errors, with README lines
 */

/**
 * Writes every snippet into the work folder and type-checks them together.
 * @param {string} root
 * @param {Snippet[]} [snippets]
 * @returns {PreparedSnippet[]}
 */
export function prepareSnippets(root, snippets = collectSnippets(root)) {
  const files = prepareWorkDir(root);
  const prepared = snippets.map((snippet) => {
    const fileName = snippetFileName(snippet);
    const source = join(files.srcDir, fileName);
    writeFileSync(source, snippet.code);
    const runDir = join(files.runDir, fileName.replace(/\.mts$/, ''));
    mkdirSync(runDir, { recursive: true });
    writeFixtures(runDir);
    return {
      snippet,
      name: `${snippet.file}:${snippet.line}`,
      source,
      compiled: join(files.outDir, fileName.replace(/\.mts$/, '.mjs')),
      runDir,
      problems: snippet.problem ? [snippet.problem] : [],
    };
  });
  const errors = typecheckSnippets(
    root,
    prepared.map((each) => each.source),
    files.outDir,
  );
  for (const each of prepared) {
    for (const error of errors.get(each.source) ?? []) each.problems.push(atReadmeLine(each.snippet, error));
  }
  return prepared;
}

/**
 * The verdict on one prepared snippet: its fence and type problems, then (unless it is marked no-run) its run.
 * @param {PreparedSnippet} prepared
 * @param {number} [timeoutMs]
 * @returns {Promise<{ ok: boolean, ran: boolean, message: string }>}
 */
export async function checkSnippet(prepared, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const { snippet, name } = prepared;
  const block = `the \`\`\`${snippet.language} block at ${name}`;
  if (prepared.problems.length > 0) {
    const list = prepared.problems.map((problem) => `  ${problem}`).join('\n');
    return { ok: false, ran: false, message: `${block} does not type-check:\n${list}\n${HOW_TO_FIX}` };
  }
  if (snippet.noRun !== null) return { ok: true, ran: false, message: `${block} type-checks (not run: ${snippet.noRun})` };
  const result = await runSnippet(prepared.compiled, prepared.runDir, timeoutMs);
  if (result.ok) return { ok: true, ran: true, message: `${block} type-checks and runs` };
  const output = mapPaths(prepared, result.output).trimEnd().split('\n').slice(-30).join('\n');
  return { ok: false, ran: true, message: `${block} ${result.reason} when run with Node:\n${output}\n${HOW_TO_FIX}` };
}

/** `line:column rest` of a snippet as `file:line:column rest` of its markdown file. */
function atReadmeLine(/** @type {Snippet} */ snippet, /** @type {string} */ error) {
  const match = /^(\d+):(\d+) ([\s\S]*)$/.exec(error);
  if (!match) return `${snippet.file}:${snippet.line} ${error}`;
  return `${snippet.file}:${snippet.line + Number(match[1])}:${Number(match[2]) + snippet.indent} ${match[3]}`;
}

/** Rewrites the snippet's own paths in a stack trace (source-mapped to the .mts) as markdown lines. */
function mapPaths(/** @type {PreparedSnippet} */ prepared, /** @type {string} */ text) {
  const escaped = prepared.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const location = new RegExp(`(?:file://)?${escaped}:(\\d+):(\\d+)`, 'g');
  return text.replace(location, (_, line, column) => atReadmeLine(prepared.snippet, `${line}:${column} `).trimEnd());
}
