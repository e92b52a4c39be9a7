import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyPrefixed } from '../src/launch/prefixed-lines.js';
import { loopbackTfConfig } from '../src/launch/workers.js';
import { assertBuilt, cli, expectUserError } from './helpers/cli.js';

// vaekit launch's parts that start no TensorFlow server: its refusals, the TF_CONFIGs it writes, and the
// prefixing of the workers' output. Launching real workers is in distributed.test.ts, in a network namespace.
beforeAll(assertBuilt);

describe('vaekit launch', () => {
  it('refuses a command line without --workers, without the command after --, or with another command', async () => {
    expectUserError(await cli(['launch', '--workers', '2']), /launch needs the command the workers run after --/, 2);
    expectUserError(await cli(['launch', '--', 'train']), /launch needs --workers N/, 2);
    expectUserError(await cli(['launch', '--workers', '0', '--', 'train']), /--workers/, 2);
    expectUserError(await cli(['launch', '--workers', '2', '--', 'eval']), /launch runs train .* not eval/, 2);
  });

  it('gives worker i a TF_CONFIG naming every worker on loopback, and itself as task i', () => {
    expect(JSON.parse(loopbackTfConfig([2001, 2002], 1))).toEqual({
      cluster: { worker: ['127.0.0.1:2001', '127.0.0.1:2002'] },
      task: { type: 'worker', index: 1 },
    });
  });

  it('prefixes every line of a worker, a redrawn progress line and an unterminated last line included', async () => {
    const from = new PassThrough();
    const to = new PassThrough();
    let written = '';
    to.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const done = copyPrefixed(from, to, '[worker 1] ');
    from.write('first\nsec');
    from.write('ond\r\nprogress 1\rprogress 2\r\n\nlast');
    from.end();
    await done;
    expect(written).toBe('[worker 1] first\n[worker 1] second\n[worker 1] progress 1\n[worker 1] progress 2\n[worker 1] last\n');
  });
});
