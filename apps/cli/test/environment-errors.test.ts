import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '@vaekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFsError } from '../src/errors.js';
import { specialFileSystem } from '../src/special-file-system.js';
import { assertBuilt, cli, expectUserError, snapshot, TINY } from './helpers/cli.js';

let dir: string;
let run1: string;
const mounts: string[] = [];

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-env-'));
  run1 = join(dir, 'run1');
  const made = await cli(['train', ...TINY, '--out', run1]);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => {
  for (const mount of mounts.reverse()) execFileSync('umount', ['-l', mount]);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A small tmpfs: a real full disk and a real read-only file system. Mounting needs root, which CI has;
 * anywhere else these tests fail loudly rather than skip, so a green run always exercised them.
 */
function tmpfs(name: string, size: string): string {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and must run as root (CI does)');
  const mount = join(dir, name);
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
  mounts.push(mount);
  return mount;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('file-system errors are one line naming the path, the cause and what to do', () => {
  it('describeFsError, for every cause the CLI meets', () => {
    const error = (code: string, syscall: string, path?: string): NodeJS.ErrnoException & { code: string } =>
      Object.assign(new Error(`${code}: x`), { code, syscall, ...(path ? { path } : {}) });
    expect(describeFsError(error('EACCES', 'open', '/srv/runs/a/config.json'))).toBe(
      'cannot open /srv/runs/a/config.json: permission denied (EACCES); check its permissions, or use another path',
    );
    expect(describeFsError(error('ENOSPC', 'write'), 'a file in runs/a')).toBe(
      'cannot write a file in runs/a: the disk is full (ENOSPC); free some space, or use a folder on another disk',
    );
    expect(describeFsError(error('EROFS', 'mkdir', '/mnt/ro/run'))).toMatch(/^cannot create the folder \/mnt\/ro\/run: the file system is read-only \(EROFS\)/);
    expect(describeFsError(error('EISDIR', 'open', 'runs/a'))).toMatch(/it is a folder, not a file \(EISDIR\); give the path of a file$/);
    expect(describeFsError(error('ENOTDIR', 'mkdir', 'a/b'))).toMatch(/a part of the path is a file, not a folder \(ENOTDIR\)/);
    expect(describeFsError(error('ENOENT', 'open', 'gone/x.png'))).toMatch(/^cannot open gone\/x\.png: no such file or folder \(ENOENT\)/);
  });

  it('a full disk while training: the error names the file, the last checkpoint stays intact and resumes', async () => {
    const disk = tmpfs('full', '4m');
    const checkpointSize = statSync(join(run1, 'checkpoint.vaekit')).size;
    // Leave room for one checkpoint and a half: the first fits, the second (written beside the first,
    // then renamed over it) does not.
    const free = (): number => {
      const s = statfsSync(disk);
      return s.bavail * s.bsize;
    };
    writeFileSync(join(disk, 'filler'), Buffer.alloc(free() - Math.floor(1.5 * checkpointSize)));
    const out = join(disk, 'run');
    const run = await cli(['train', ...TINY, '--epochs', '2', '--checkpoint-every', '1', '--out', out]);
    expectUserError(
      run,
      new RegExp(
        `^error: cannot write ${escapeRegExp(join(out, 'checkpoint.vaekit'))}: the disk is full \\(ENOSPC\\); free some space, or use a folder on another disk; ` +
          `the last checkpoint \\(step 1\\) is intact: resume with vaekit train --out ${escapeRegExp(out)} --resume once that is fixed$`,
      ),
    );
    const path = join(out, 'checkpoint.vaekit');
    expect((await decodeCheckpoint(new Uint8Array(readFileSync(path)), path)).state.step).toBe(1);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp') || name === 'vaekit.lock')).toEqual([]);

    rmSync(join(disk, 'filler'));
    const resumed = await cli(['train', '--out', out, '--resume', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${out} from step 1`);
  });

  it('a full disk while writing the pictures: the PNG is named, the final checkpoint is intact, --resume completes the folder', async () => {
    const disk = tmpfs('full-pictures', '4m');
    // tmpfs hands out whole pages: room for the lock, config.json, the checkpoint and model.vaekit, and
    // two pages more, less than samples.png needs.
    const page = 4096;
    const pages = (bytes: number): number => Math.ceil(bytes / page) * page;
    const room = 2 * page + pages(statSync(join(run1, 'checkpoint.vaekit')).size) + pages(statSync(join(run1, 'model.vaekit')).size) + 2 * page;
    const s = statfsSync(disk);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(s.bavail * s.bsize - room));
    const out = join(disk, 'run');
    const run = await cli(['train', ...TINY, '--out', out]);
    expectUserError(
      run,
      new RegExp(
        `^error: cannot write ${escapeRegExp(join(out, 'samples.png'))}: the disk is full \\(ENOSPC\\); free some space, or use a folder on another disk; ` +
          `the last checkpoint \\(step 2\\) is intact: resume with vaekit train --out ${escapeRegExp(out)} --resume once that is fixed$`,
      ),
    );
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp') || name === 'vaekit.lock')).toEqual([]);
    rmSync(join(disk, 'filler'));
    const resumed = await cli(['train', '--out', out, '--resume', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^nothing left to train: the run completed 1 epoch\(s\), 2 steps/m);
    for (const file of ['samples.png', 'metrics.jsonl']) expect(existsSync(join(out, file)), file).toBe(true);
  });

  it('a read-only file system: a new run and a resume each get one line', async () => {
    const disk = tmpfs('readonly', '4m');
    const out = join(disk, 'run');
    const made = await cli(['train', ...TINY, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const before = snapshot(out);
    expectUserError(
      await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']),
      new RegExp(`^error: cannot create the lock file ${escapeRegExp(join(out, 'vaekit.lock'))}: the file system is read-only \\(EROFS\\); use a writable folder$`),
    );
    expectUserError(
      await cli(['train', ...TINY, '--out', join(disk, 'new', 'run')]),
      new RegExp(`^error: cannot create the folder ${escapeRegExp(join(disk, 'new'))}: the file system is read-only \\(EROFS\\); use a writable folder$`),
    );
    expect(snapshot(out)).toEqual(before);
  });

  it('no permission: a new run in a folder of someone else\'s, and a resume of someone else\'s run', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs the CLI as nobody and must run as root (CI does)');
    const nobody = 65534;
    // nobody may look into the test folder (mkdtemp made it 0700), but not write to what root made in it.
    chmodSync(dir, 0o755);
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    expectUserError(
      await cli(['train', ...TINY, '--out', join(theirs, 'run')], { uid: nobody }),
      new RegExp(`^error: cannot create the folder ${escapeRegExp(join(theirs, 'run'))}: permission denied \\(EACCES\\); check its permissions, or use another path$`),
    );
    const before = snapshot(run1);
    expectUserError(
      await cli(['train', '--out', run1, '--resume', '--epochs', '2', '--backend', 'cpu'], { uid: nobody }),
      new RegExp(`^error: cannot create the lock file ${escapeRegExp(join(run1, 'vaekit.lock'))}: permission denied \\(EACCES\\)`),
    );
    expect(snapshot(run1)).toEqual(before);
  });

  it('--out that is a file, empty, under a file, or on /proc, /sys or /dev is refused up front', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expectUserError(await cli(['train', ...TINY, '--out', file]), /^error: --out .*a-file is a file, not a folder; --out takes a folder/);
    expectUserError(await cli(['train', ...TINY, '--out', '']), /^error: --out is empty: give the run folder/, 2);
    expectUserError(await cli(['train', ...TINY, '--out', join(file, 'run')]), /a-file\/run: a part of the path is a file, not a folder \(ENOTDIR\)/);
    // Each within seconds: --out under /proc used to hang forever.
    for (const special of ['/proc/vaekit-run', '/sys/vaekit-run', '/dev/vaekit-run']) {
      expectUserError(await cli(['train', ...TINY, '--out', special], { timeoutMs: 30_000 }), /cannot hold a run: \/(proc|sys|dev) is a view of the kernel, not storage/);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('specialFileSystem tells kernel views from storage (by path and by statfs type)', () => {
    expect(specialFileSystem('/proc/self/x')).toMatch(/proc/);
    expect(specialFileSystem('/sys/kernel/x/y')).toMatch(/sys/);
    expect(specialFileSystem('/dev/null/x')).toMatch(/dev/);
    expect(specialFileSystem('/dev/shm/run')).toBeNull();
    expect(specialFileSystem(join(dir, 'not-yet', 'run'))).toBeNull();
  });

  it('a folder or a device as --model-file, and a device as --data', async () => {
    expectUserError(
      await cli(['eval', '--model-file', run1, '--backend', 'cpu']),
      new RegExp(`^error: --model-file ${escapeRegExp(run1)} is a folder, not a model file; use ${escapeRegExp(join(run1, 'model.vaekit'))}$`),
    );
    expectUserError(await cli(['sample', '--model-file', '/dev/zero', '--out', join(dir, 's.png')], { timeoutMs: 30_000 }), /--model-file \/dev\/zero is not a regular file/);
    expectUserError(await cli(['train', ...TINY, '--data', '/dev/zero', '--out', join(dir, 'never')], { timeoutMs: 30_000 }), /--data \/dev\/zero is not a regular file or a folder/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('sample and reconstruct --out: a missing folder, or a folder instead of a file', async () => {
    const model = join(run1, 'model.vaekit');
    expectUserError(
      await cli(['sample', '--model-file', model, '--out', join(dir, 'missing', 'x.png'), '--backend', 'cpu']),
      /^error: cannot write .*missing\/x\.png: the folder .*missing does not exist; create it first, or choose another path$/,
    );
    expectUserError(await cli(['reconstruct', '--model-file', model, '--out', dir, '--n', '4', '--backend', 'cpu']), /^error: --out .* is a folder; give the PNG file to write/);
  });

  it('a damaged config.json ({} or garbage) stops a resume with one line', async () => {
    for (const [content, pattern] of [
      ['{}', /config\.json is damaged \(it has no 'args' \(the run's settings\)\); restore it, or start over with --force or another --out$/],
      ['\u0000garbage', /config\.json is damaged: it is not valid JSON/],
      ['{"args":{"model":"Vae"},"model":{"className":"Vae","inputShape":[784]}}', /config\.json is damaged \('args\.data' is missing\)/],
    ] as const) {
      const out = join(dir, `damaged-${content.length}`);
      const made = await cli(['train', ...TINY, '--out', out]);
      expect(made.code, made.stderr).toBe(0);
      writeFileSync(join(out, 'config.json'), content);
      expectUserError(await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']), pattern);
    }
  });
});
