// Every ```ts block of the READMEs and docs type-checks with the packages' settings and runs with Node
// against the built packages (`pnpm test` builds first). One test per block, named by its file and line.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSnippet, DEFAULT_TIMEOUT_MS, prepareSnippets } from './check.mjs';
import { collectSnippets, fencedSnippets } from './extract.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('README snippet extraction', () => {
  const markdown = [
    '# Title',
    '```sh',
    'pnpm test',
    '```',
    '- a list item:',
    '',
    '  ```ts no-run: browser-only, needs a page',
    '  const inItem = 1;',
    '  ```',
    '````typescript',
    'const fenced = "```";',
    '````',
    '```ts no-run',
    'const noReason = 1;',
    '```',
    '```ts norun: typo',
    'const unknownMarker = 1;',
    '```',
  ].join('\n');
  const found = fencedSnippets(markdown, 'doc.md');

  it('takes ts and typescript blocks, with their fence line, indentation and code', () => {
    expect(found.map(({ line, indent, language, code }) => ({ line, indent, language, code }))).toEqual([
      { line: 7, indent: 2, language: 'ts', code: 'const inItem = 1;\n' },
      { line: 10, indent: 0, language: 'typescript', code: 'const fenced = "```";\n' },
      { line: 13, indent: 0, language: 'ts', code: 'const noReason = 1;\n' },
      { line: 16, indent: 0, language: 'ts', code: 'const unknownMarker = 1;\n' },
    ]);
  });

  it('reads no-run with its reason, and refuses no-run without one and any other marker', () => {
    expect(found.map((snippet) => snippet.noRun)).toEqual(['browser-only, needs a page', null, null, null]);
    expect(found[0]?.problem).toBeNull();
    expect(found[2]?.problem).toMatch(/'no-run' needs a reason/);
    expect(found[3]?.problem).toMatch(/unknown marker 'norun: typo'/);
  });
});

describe('README snippets type-check and run', () => {
  const snippets = collectSnippets(ROOT);
  let prepared = new Map<string, ReturnType<typeof prepareSnippets>[number]>();

  beforeAll(() => {
    prepared = new Map(prepareSnippets(ROOT, snippets).map((each) => [each.name, each]));
  }, 300_000);

  it('finds the READMEs’ snippets', () => {
    expect(snippets.length).toBeGreaterThan(0);
    expect(snippets.map((snippet) => snippet.file)).toContain('packages/data/README.md');
  });

  for (const snippet of snippets) {
    const name = `${snippet.file}:${snippet.line}`;
    it(name, async () => {
      const each = prepared.get(name);
      if (!each) throw new Error(`${name} was not prepared`);
      const verdict = await checkSnippet(each);
      // The message names the block, its failing lines and how to fix it; it is the whole report.
      if (!verdict.ok) expect.fail(verdict.message);
      expect(verdict.ran).toBe(snippet.noRun === null);
    }, DEFAULT_TIMEOUT_MS + 30_000);
  }
});
