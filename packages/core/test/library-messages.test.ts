import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LIBRARIES = ['core', 'variants', 'backends', 'data', 'conformance', 'distributed'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The flags the CLI documents: `--name` words of its README, less those of the install commands it quotes. */
function cliFlags(): string[] {
  const readme = readFileSync(join(ROOT, 'apps', 'cli', 'README.md'), 'utf8').replace(/\b(?:npm|pnpm|pip) install[^&`\n]*/g, '');
  return [...new Set(readme.match(/--[a-z][a-z-]+/g) ?? [])];
}

describe('library messages', () => {
  it('never name a flag of the vaekit CLI: the packages are used without it, and the CLI adds its own hints', () => {
    const flags = cliFlags();
    expect(flags).toContain('--likelihood');
    const found: string[] = [];
    for (const library of LIBRARIES) {
      for (const file of sourceFiles(join(ROOT, 'packages', library, 'src'))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
            for (const flag of flags) {
              if (new RegExp(`${flag}(?![a-z-])`).test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${flag}`);
            }
          });
      }
    }
    expect(found).toEqual([]);
  });
});
