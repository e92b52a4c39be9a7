import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTemporaryFileOf, removeTemporaryFiles, writeFileAtomic } from '../src/node/file-store.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaekit-file-store-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file behind', async () => {
    const path = join(dir, 'replace', 'state.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    expect([...readFileSync(path)]).toEqual([4, 5]);
    expect(readdirSync(join(dir, 'replace'))).toEqual(['state.bin']);
  });

  it('names the target, not its temporary twin, when the folder cannot be written', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    const error = (await writeFileAtomic(join(blocker, 'x.bin'), new Uint8Array(1)).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toMatch(/ENOTDIR|EEXIST/);
    expect(error.path).not.toMatch(/\.tmp$/);
  });
});

describe('temporary files of interrupted writes', () => {
  it('recognizes a file\'s temporary twins and nothing else', () => {
    expect(isTemporaryFileOf('.checkpoint.vaekit.0a1b2c3d4e5f.tmp', 'checkpoint.vaekit')).toBe(true);
    // writePng's twins carry a pid too; the convention is the prefix and the suffix.
    expect(isTemporaryFileOf('.samples.png.1234.0a1b2c3d.tmp', 'samples.png')).toBe(true);
    expect(isTemporaryFileOf('checkpoint.vaekit', 'checkpoint.vaekit')).toBe(false);
    expect(isTemporaryFileOf('.checkpoint.vaekit.tmp', 'checkpoint.vaekit')).toBe(false);
    expect(isTemporaryFileOf('.model.vaekit.0a1b2c3d4e5f.tmp', 'checkpoint.vaekit')).toBe(false);
    expect(isTemporaryFileOf('notes.tmp', 'checkpoint.vaekit')).toBe(false);
  });

  it('removeTemporaryFiles removes only the named files\' twins', async () => {
    const folder = join(dir, 'torn');
    mkdirSync(folder);
    for (const name of ['.checkpoint.vaekit.0a1b2c3d4e5f.tmp', '.model.vaekit.ffffffffffff.tmp', 'checkpoint.vaekit', 'mine.tmp', '.other.0a1b2c3d4e5f.tmp']) {
      writeFileSync(join(folder, name), 'x');
    }
    const removed = await removeTemporaryFiles(folder, ['checkpoint.vaekit', 'model.vaekit']);
    expect(removed.sort()).toEqual(['.checkpoint.vaekit.0a1b2c3d4e5f.tmp', '.model.vaekit.ffffffffffff.tmp']);
    expect(readdirSync(folder).sort()).toEqual(['.other.0a1b2c3d4e5f.tmp', 'checkpoint.vaekit', 'mine.tmp']);
    expect(await removeTemporaryFiles(join(dir, 'no-such-folder'), ['checkpoint.vaekit'])).toEqual([]);
  });
});

// A real full disk: a 1 MB tmpfs. Mounting needs root, which CI has; elsewhere this fails loudly rather
// than skipping, so a green run always means the disk-full path was exercised.
describe('on a full disk', () => {
  let mount: string;
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and must run as root (CI does)');
    mount = mkdtempSync(join(tmpdir(), 'vaekit-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
  });
  afterAll(() => {
    if (mount && existsSync(mount)) {
      execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('keeps the old content, removes the torn temporary file, and names the target with ENOSPC', async () => {
    const path = join(mount, 'checkpoint.vaekit');
    const old = new Uint8Array(400 * 1024).fill(7);
    await writeFileAtomic(path, old);
    // The new content and the old do not both fit in 1 MB.
    const error = (await writeFileAtomic(path, new Uint8Array(700 * 1024).fill(9)).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ENOSPC');
    expect(error.path).toBe(path);
    expect(readFileSync(path).equals(Buffer.from(old))).toBe(true);
    expect(readdirSync(mount)).toEqual(['checkpoint.vaekit']);
  });
});
