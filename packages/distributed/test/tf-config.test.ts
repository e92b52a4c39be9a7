import { describe, expect, it } from 'vitest';

import { TfConfigError, parseTfConfig, readTfConfig } from '@vaekit/distributed';

const env = (value: unknown): Record<string, string> => ({ TF_CONFIG: typeof value === 'string' ? value : JSON.stringify(value) });

/** The message readTfConfig throws for this TF_CONFIG; fails the test if it throws anything else, or nothing. */
function errorFor(value: unknown): string {
  try {
    readTfConfig(env(value));
  } catch (err) {
    expect(TfConfigError.isInstance(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`TF_CONFIG ${JSON.stringify(value)} was accepted`);
}

describe('readTfConfig', () => {
  it('ranks the chief first, then the workers in order', () => {
    const config = readTfConfig(
      env({ cluster: { worker: ['w0:2222', 'w1:2222'], chief: ['c:2222'] }, task: { type: 'worker', index: 1 } }),
    );
    expect(config.tasks.map((t) => [t.job, t.index, t.rank, t.address])).toEqual([
      ['chief', 0, 0, 'c:2222'],
      ['worker', 0, 1, 'w0:2222'],
      ['worker', 1, 2, 'w1:2222'],
    ]);
    expect(config.self).toMatchObject({ job: 'worker', index: 1, rank: 2, name: '/job:worker/replica:0/task:1' });
    expect(config.leader.name).toBe('/job:chief/replica:0/task:0');
  });

  it('leads with worker 0 when there is no chief', () => {
    const config = readTfConfig(env({ cluster: { worker: ['127.0.0.1:1', '127.0.0.1:2'] }, task: { type: 'worker', index: 0 } }));
    expect(config.leader).toMatchObject({ job: 'worker', index: 0, rank: 0 });
    expect(config.self).toBe(config.leader);
  });

  it('runs a chief alone, and a single worker', () => {
    expect(readTfConfig(env({ cluster: { chief: ['c:1'] }, task: { type: 'chief', index: 0 } })).tasks).toHaveLength(1);
    expect(readTfConfig(env({ cluster: { worker: ['w:1'] }, task: { type: 'worker', index: 0 } })).self.rank).toBe(0);
  });

  it('takes the index as a numeric string, as tf.distribute does', () => {
    expect(readTfConfig(env({ cluster: { worker: ['a:1', 'b:1'] }, task: { type: 'worker', index: '1' } })).self.rank).toBe(1);
  });

  it('takes IPv6 and host names', () => {
    const config = readTfConfig(
      env({ cluster: { worker: ['[::1]:9000', 'train-1.default.svc.cluster.local:2222'] }, task: { type: 'worker', index: 0 } }),
    );
    expect(config.tasks.map((t) => t.address)).toEqual(['[::1]:9000', 'train-1.default.svc.cluster.local:2222']);
  });

  it('ignores fields it does not use, such as "environment"', () => {
    expect(() => readTfConfig(env({ cluster: { worker: ['a:1'] }, task: { type: 'worker', index: 0 }, environment: 'cloud' }))).not.toThrow();
  });

  it('is pure: it reads only the environment it is given', () => {
    expect(() => readTfConfig({})).toThrow(/TF_CONFIG is not set/);
    expect(() => readTfConfig({ TF_CONFIG: '  ' })).toThrow(/TF_CONFIG is not set/);
  });

  it('parseTfConfig reads the same text', () => {
    const text = JSON.stringify({ cluster: { worker: ['a:1', 'b:2'] }, task: { type: 'worker', index: 1 } });
    expect(parseTfConfig(text)).toEqual(readTfConfig({ TF_CONFIG: text }));
  });

  const bad: [string, unknown, RegExp][] = [
    ['bad JSON', '{"cluster": ', /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['no cluster', { task: { type: 'worker', index: 0 } }, /no "cluster" object/],
    ['a cluster that is an array', { cluster: ['a:1'], task: { type: 'worker', index: 0 } }, /no "cluster" object/],
    ['no task at all in the cluster', { cluster: {}, task: { type: 'worker', index: 0 } }, /lists no task/],
    ['an empty worker list', { cluster: { worker: [] }, task: { type: 'worker', index: 0 } }, /lists no task/],
    ['no task', { cluster: { worker: ['a:1'] } }, /no "task" object/],
    ['a task without a type', { cluster: { worker: ['a:1'] }, task: { index: 0 } }, /task\.type must be/],
    ['an unknown task type', { cluster: { worker: ['a:1'] }, task: { type: 'boss', index: 0 } }, /task\.type is "boss"/],
    ['an evaluator task', { cluster: { worker: ['a:1'] }, task: { type: 'evaluator', index: 0 } }, /"chief" and "worker" tasks only/],
    ['a missing index', { cluster: { worker: ['a:1'] }, task: { type: 'worker' } }, /task\.index must be a whole number/],
    ['a negative index', { cluster: { worker: ['a:1'] }, task: { type: 'worker', index: -1 } }, /task\.index must be a whole number/],
    ['a fractional index', { cluster: { worker: ['a:1'] }, task: { type: 'worker', index: 0.5 } }, /task\.index must be a whole number/],
    ['a non-numeric index', { cluster: { worker: ['a:1'] }, task: { type: 'worker', index: 'one' } }, /task\.index must be a whole number/],
    ['an index out of range', { cluster: { worker: ['a:1', 'b:1'] }, task: { type: 'worker', index: 2 } }, /task\.index 2 is out of range: cluster\.worker has 2 task\(s\), indices 0 to 1/],
    ['a chief task without a chief', { cluster: { worker: ['a:1'] }, task: { type: 'chief', index: 0 } }, /cluster\.chief has 0 task/],
    ['two chiefs', { cluster: { chief: ['a:1', 'b:1'], worker: ['c:1'] }, task: { type: 'worker', index: 0 } }, /at most one chief/],
    ['a parameter server job', { cluster: { worker: ['a:1'], ps: ['p:1'] }, task: { type: 'worker', index: 0 } }, /cluster\.ps: .*no "ps" job/],
    ['an unknown job', { cluster: { worker: ['a:1'], trainer: ['t:1'] }, task: { type: 'worker', index: 0 } }, /cluster\.trainer: unknown job/],
    ['a worker list that is a string', { cluster: { worker: 'a:1' }, task: { type: 'worker', index: 0 } }, /cluster\.worker must be an array/],
    ['a non-string address', { cluster: { worker: ['a:1', 7] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[1\] must be a "host:port" string/],
    ['an address without a port', { cluster: { worker: ['a'] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[0\] is "a"/],
    ['port 0', { cluster: { worker: ['a:0'] }, task: { type: 'worker', index: 0 } }, /port from 1 to 65535/],
    ['port 65536', { cluster: { worker: ['a:65536'] }, task: { type: 'worker', index: 0 } }, /port from 1 to 65535/],
    ['a URL', { cluster: { worker: ['grpc://a:1'] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[0\]/],
    ['an unbracketed IPv6 address', { cluster: { worker: ['::1:2222'] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[0\]/],
    ['duplicate worker addresses', { cluster: { worker: ['a:1', 'b:1', 'a:1'] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[2\] repeats a:1, the address of cluster\.worker\[0\]/],
    ['a worker at the chief\'s address', { cluster: { chief: ['A:1'], worker: ['a:1'] }, task: { type: 'worker', index: 0 } }, /cluster\.worker\[0\] repeats a:1, the address of cluster\.chief\[0\]/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      expect(errorFor(value)).toMatch(message);
    });
  }
});
