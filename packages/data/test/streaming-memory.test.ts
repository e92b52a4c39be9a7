import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildOutcome } from '@vaekit/test-utils';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'fixtures', 'train-npy-in-child.mjs');
const BUILT = ['data/dist/node/index.js', 'core/dist/index.js', 'backends/dist/index.js'].map((p) => join(here, '..', '..', p));
// The child's JavaScript heap: 24 MB of old space and 1 MB semi-spaces, about 28 MB in all.
const HEAP_FLAGS = ['--max-old-space-size=24', '--max-semi-space-size=1'];
const EXAMPLE_SIZE = 1024;
const BATCH_SIZE = 256;
const MB = 1024 ** 2;

/** What train-npy-in-child.mjs reports. */
interface TrainOutcome extends ChildOutcome {
  readonly status?: string;
  readonly steps?: number;
  readonly examples?: number;
  readonly backend: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly heapLimitBytes: number;
  readonly rssStartBytes: number;
  readonly rssPeakBytes: number;
  readonly rssEndBytes: number;
  readonly warmMaxRssBytes: number;
}

const dir = mkdtempSync(join(tmpdir(), 'vaekit-npy-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training on a streamed .npy file larger than the heap', () => {
  it('completes an epoch on a file over 4x the heap limit and its resident memory stops growing once the first quarter is read', async () => {
    for (const built of BUILT) expect(existsSync(built), `${built} is missing: run pnpm turbo run build --filter=@vaekit/data... --filter=@vaekit/backends first`).toBe(true);
    const heapLimit = Number(await runNode([...HEAP_FLAGS, '-p', "require('node:v8').getHeapStatistics().heap_size_limit"], 30_000));
    const rows = Math.ceil((4.2 * heapLimit) / EXAMPLE_SIZE);
    const path = join(dir, 'large.npy');
    writeLargeNpy(path, rows, EXAMPLE_SIZE);
    const fileBytes = statSync(path).size;
    expect(fileBytes).toBeGreaterThan(4 * heapLimit);

    const line = await runNode([...HEAP_FLAGS, CHILD, path, String(BATCH_SIZE), 'wasm'], 280_000);
    const outcome = JSON.parse(line.trim().split('\n').pop() ?? '') as TrainOutcome;
    const mb = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;
    console.log(
      `streamed ${mb(fileBytes)} (${rows} examples of ${EXAMPLE_SIZE} bytes) on ${outcome.backend} with a ${mb(outcome.heapLimitBytes)} heap ` +
        `in ${outcome.seconds?.toFixed(1)} s (${outcome.cpuSeconds?.toFixed(1)} s of CPU): RSS start ${mb(outcome.rssStartBytes)}, peak ${mb(outcome.maxRssBytes)} ` +
        `(sampled ${mb(outcome.rssPeakBytes)}, ${mb(outcome.warmMaxRssBytes)} after the first quarter), end ${mb(outcome.rssEndBytes)}`,
    );
    expect(outcome, outcome.message).toMatchObject({ loaded: true, status: 'completed', examples: rows, steps: Math.ceil(rows / BATCH_SIZE), numTensors: 0 });
    expect(outcome.heapLimitBytes).toBe(heapLimit);
    // The file is read a few batches at a time. The first quarter of the epoch brings the backend's working
    // memory and the reader's buffers to their size (tens of MB, more on a loaded machine, whatever the
    // file); the last three quarters then read over 80 MB of the file while the peak stays where it was.
    // A reader that kept what it read would add at least those 80 MB (four times that as float32).
    const warmUp = outcome.warmMaxRssBytes - outcome.rssStartBytes;
    const steady = outcome.maxRssBytes - outcome.warmMaxRssBytes;
    expect(warmUp).toBeLessThan(fileBytes / 2);
    expect(steady).toBeLessThan(fileBytes / 16);
  }, 300_000);
});

/** A uint8 .npy file of rows x width pseudo-random bytes, written 4 MB at a time. */
function writeLargeNpy(path: string, rows: number, width: number): void {
  const prefix = 10;
  let dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${rows}, ${width}), }`;
  dict = `${dict.padEnd(Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix - 1, ' ')}\n`;
  const header = Buffer.alloc(prefix + dict.length);
  header.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  header.writeUInt16LE(dict.length, 8);
  header.write(dict, prefix, 'latin1');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    const chunk = Buffer.alloc(4 * MB);
    let state = 0x2545f491;
    for (let left = rows * width; left > 0; left -= chunk.length) {
      const n = Math.min(chunk.length, left);
      for (let i = 0; i < n; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        chunk[i] = state >>> 24;
      }
      writeSync(fd, chunk, 0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs node with `args` and resolves to its standard output; rejects on a non-zero exit or after `timeoutMs`. */
function runNode(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`node ${args.join(' ')} ended with code ${code}, signal ${signal}: ${stderr.slice(-2000)}`));
    });
  });
}
