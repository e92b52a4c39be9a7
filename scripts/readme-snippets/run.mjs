#!/usr/bin/env node
// `node scripts/readme-snippets/run.mjs [file-or-file:line ...]`: checks the README snippets (all, or those
// of the markdown files or blocks named) and exits 1 naming each block that failed. Needs `pnpm build` first.
import { fileURLToPath } from 'node:url';
import { checkSnippet, prepareSnippets } from './check.mjs';
import { collectSnippets } from './extract.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wanted = process.argv.slice(2);
const snippets = collectSnippets(root).filter(
  (snippet) => wanted.length === 0 || wanted.some((name) => name === snippet.file || name === `${snippet.file}:${snippet.line}`),
);
if (snippets.length === 0) {
  console.error(`no \`\`\`ts block matches ${wanted.join(', ') || 'the README files'}`);
  process.exit(1);
}
let failed = 0;
for (const prepared of prepareSnippets(root, snippets)) {
  const verdict = await checkSnippet(prepared);
  if (!verdict.ok) failed++;
  console[verdict.ok ? 'log' : 'error'](`${verdict.ok ? 'ok  ' : 'FAIL'} ${verdict.message}`);
}
console.log(`${snippets.length - failed} of ${snippets.length} README snippets passed`);
process.exitCode = failed > 0 ? 1 : 0;
