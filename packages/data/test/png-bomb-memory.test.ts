import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deflatedZeros, pngFile } from './helpers/png-bytes.js';
import { runChild, type ChildOutcome } from '@vaekit/test-utils';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'fixtures', 'decode-png-in-child.mjs');
const BUILT = join(here, '..', 'dist', 'node', 'index.js');
const ONE_GB = 1024 ** 3;

/** What decode-png-in-child.mjs reports: the pixels decoded when it did not refuse. */
interface PngOutcome extends ChildOutcome {
  readonly pixels?: number;
}
const dir = mkdtempSync(join(tmpdir(), 'vaekit-png-bombs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PNG decompression bombs under 1 MB stay under 1 GB of memory', () => {
  it('each decodes in a child process that peaks under 1 GB: refused when over the limits, decoded at them', async () => {
    expect(existsSync(BUILT), 'the child loads the built package: run pnpm turbo run build --filter=@vaekit/data first').toBe(true);
    // 400 MB of zeros compress to about 400 kB: the bomb of the fault-injection pass (20000 x 20000 gray).
    const zeros400MB = await deflatedZeros(20_000 * 20_001);
    // A folder of 40 images at the per-image limit (17 kB each) declares 168 M pixels; one of 16 is at the folder limit.
    const atLimitGray = await deflatedZeros(2048 * 2049);
    for (const [folder, count] of [['folder-bomb', 40], ['folder-at-limit', 16]] as const) {
      mkdirSync(join(dir, folder));
      for (let i = 0; i < count; i++) writeFileSync(join(dir, folder, `img${i}.png`), pngFile({ width: 2048, height: 2048 }, atLimitGray));
    }

    // [name, bytes (or null for the folder), what the child reports]
    const cases: [string, Uint8Array | null, RegExp | number][] = [
      ['bomb-20000x20000.png', pngFile({ width: 20_000, height: 20_000 }, zeros400MB), /is 20000x20000 pixels, over the limit of 16384 on a side/],
      ['interlaced-bomb-64x64.png', pngFile({ width: 64, height: 64, interlace: 1 }, zeros400MB), /inflates past the \d+ bytes its 64x64 pixels need/],
      // The largest image the limits allow, in the costliest format (16-bit RGBA): decoded, not refused.
      [
        'at-limit-2048x2048-rgba16.png',
        pngFile({ width: 2048, height: 2048, bitDepth: 16, colorType: 6 }, await deflatedZeros(2048 * (1 + 2048 * 8))),
        2048 * 2048,
      ],
      ['folder-bomb', null, /holds 40 images of 2048x2048, 167772160 pixels in all, over the limit of 67108864/],
      ['folder-at-limit', null, 16 * 2048 * 2048],
    ];
    const failures: string[] = [];
    for (const [name, bytes, expected] of cases) {
      const path = join(dir, name);
      if (bytes) writeFileSync(path, bytes);
      const size = bytes ? bytes.byteLength : readdirSync(path).reduce((n, file) => n + statSync(join(path, file)).size, 0);
      expect(size, name).toBeLessThan(1024 * 1024);
      // A 3 GB address-space ceiling: a decoder that does inflate the bomb fails fast instead of taking the machine.
      const outcome = await runChild<PngOutcome>(CHILD, [bytes ? 'file' : 'folder', path], { virtualMemoryKb: 3 * 1024 * 1024, timeoutMs: 120_000 });
      const peak = `${(outcome.maxRssBytes / 1024 ** 2).toFixed(0)} MB`;
      console.log(`${name} (${size} bytes): peak RSS ${peak}, ${outcome.loaded ? `decoded ${outcome.pixels} pixels` : outcome.message}`);
      if (outcome.maxRssBytes >= ONE_GB) failures.push(`${name}: peak RSS ${peak}`);
      if (typeof expected === 'number') {
        if (!outcome.loaded || outcome.pixels !== expected) failures.push(`${name}: expected ${expected} pixels, got ${outcome.loaded ? outcome.pixels : outcome.message}`);
      } else if (outcome.loaded || outcome.error !== 'DataError' || !expected.test(outcome.message ?? '') || /\n/.test(outcome.message ?? '')) {
        failures.push(`${name}: expected a one-line DataError matching ${expected}, got ${outcome.loaded ? 'a decoded image' : `${outcome.error}: ${outcome.message}`}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
