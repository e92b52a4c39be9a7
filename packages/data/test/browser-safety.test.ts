import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../src/index.js';
import { readMaybeGzipped } from '../src/node/read-bytes.js';

const srcDir = new URL('../src/', import.meta.url);

describe('the browser-safe entry point', () => {
  it('imports no Node built-ins and uses no Node globals', () => {
    const files = readdirSync(srcDir).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) {
      const code = readFileSync(new URL(name, srcDir), 'utf8');
      expect(code, name).not.toMatch(/from '(node:|fs|path|zlib|os)/);
      expect(code, name).not.toMatch(/\b(Buffer|process)\./);
      expect(code, name).not.toMatch(/from '\.\/node\//);
    }
  });
});

describe('readMaybeGzipped', () => {
  it('inflates gzipped files and passes plain ones through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaekit-data-gz-'));
    try {
      const idx = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
      writeFileSync(join(dir, 'plain'), idx);
      writeFileSync(join(dir, 'packed.gz'), gzipSync(idx));
      expect(Array.from(parseIdx(readMaybeGzipped(join(dir, 'plain'))).data)).toEqual([7, 8, 9]);
      expect(Array.from(parseIdx(readMaybeGzipped(join(dir, 'packed.gz'))).data)).toEqual([7, 8, 9]);
      writeFileSync(join(dir, 'broken.gz'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
      expect(() => readMaybeGzipped(join(dir, 'broken.gz'))).toThrow(/looks gzipped but does not inflate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
