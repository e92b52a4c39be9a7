import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCluster } from './cluster/harness.js';

// The cluster tests must fail, loudly, where they cannot get a private network namespace: never skip, and
// never fall back to the machine's real network.

const savedPath = process.env['PATH'];
const empty = mkdtempSync(join(tmpdir(), 'vaekit-no-unshare-'));

afterEach(() => {
  process.env['PATH'] = savedPath;
});

describe('the cluster harness', () => {
  it('fails, saying why, when `unshare` cannot be run', async () => {
    process.env['PATH'] = empty;
    try {
      await expect(runCluster({ workers: 2, mode: 'sums', basePort: 24100, deadlineMs: 5_000 })).rejects.toThrow(
        /cannot run `unshare -n`.*private network namespace/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses clusters beyond its bound', () => {
    expect(() => runCluster({ workers: 5, mode: 'sums', basePort: 24100, deadlineMs: 5_000 })).toThrow(/1 to 4 workers/);
  });
});
