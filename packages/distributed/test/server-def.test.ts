import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { buildServerDef, parseTfConfig } from '@vaekit/distributed';
import type { ServerDefOptions } from '@vaekit/distributed';

import { type ProtoTree, type Schema, decodeProto, hexToBytes } from './proto-decode.js';

// Bytes TensorFlow 2.21's own Python protos serialize for these clusters (fixtures/server-def-golden.py).
interface GoldenCase {
  cluster: Record<string, string[]>;
  task: { type: string; index: number };
  options?: ServerDefOptions;
  serverDefHex: string;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./fixtures/server-def-golden.json', import.meta.url), 'utf8')) as GoldenCase[];

// The message fields of ServerDef, down to the coordination config (tensorflow_server.proto, config.proto,
// cluster.proto, coordination_config.proto).
const SERVER_DEF: Schema = {
  1: { 1: { 2: {} } }, // cluster { job { tasks (map entry) } }
  4: { 16: { 23: { 10: {} } } }, // default_session_config { experimental { coordination_config { coordinated_job_list } } }
};

/** A JobDef's `tasks` map, as entries sorted by key: protobuf leaves a map's order to the serializer. */
function sortMapEntries(tree: ProtoTree): ProtoTree {
  const jobs = (tree[1]?.[0] as ProtoTree | undefined)?.[1] as ProtoTree[] | undefined;
  for (const job of jobs ?? []) {
    job[2]?.sort((a, b) => Number((a as ProtoTree)[1]?.[0]) - Number((b as ProtoTree)[1]?.[0]));
  }
  return tree;
}

const decode = (bytes: Uint8Array): ProtoTree => sortMapEntries(decodeProto(bytes, SERVER_DEF));

describe('buildServerDef', () => {
  it('has golden cases to compare with', () => {
    expect(GOLDEN.length).toBeGreaterThanOrEqual(4);
  });

  for (const golden of GOLDEN) {
    it(`serializes what TensorFlow does for ${golden.task.type} ${golden.task.index} of ${JSON.stringify(golden.cluster)}`, () => {
      const config = parseTfConfig(JSON.stringify({ cluster: golden.cluster, task: golden.task }));
      const ours = buildServerDef(config, golden.options);
      const theirs = hexToBytes(golden.serverDefHex);
      expect(ours.length).toBe(theirs.length);
      expect(decode(ours)).toEqual(decode(theirs));
    });
  }

  it('writes the fields a reader relies on', () => {
    const config = parseTfConfig('{"cluster":{"worker":["h0:1000","h1:1001"]},"task":{"type":"worker","index":1}}');
    const tree = decode(buildServerDef(config, { heartbeatTimeoutMs: 4321 }));
    expect(tree[2]).toEqual(['worker']);
    expect(tree[3]).toEqual([1]);
    expect(tree[5]).toEqual(['grpc']);
    const session = tree[4]![0] as ProtoTree;
    expect(session[4]).toEqual(['/job:worker/task:1']);
    const experimental = session[16]![0] as ProtoTree;
    const coordination = experimental[23]![0] as ProtoTree;
    expect(coordination[2]).toEqual(['/job:worker/replica:0/task:0']);
    expect(coordination[5]).toEqual([4321]);
  });

  it('refuses timeouts that are not whole positive milliseconds', () => {
    const config = parseTfConfig('{"cluster":{"worker":["h0:1000"]},"task":{"type":"worker","index":0}}');
    expect(() => buildServerDef(config, { heartbeatTimeoutMs: 0 })).toThrow(/heartbeatTimeoutMs/);
    expect(() => buildServerDef(config, { registerTimeoutMs: 1.5 })).toThrow(/registerTimeoutMs/);
    expect(() => buildServerDef(config, { heartbeatTimeoutMs: Number.NaN })).toThrow(/heartbeatTimeoutMs/);
  });
});
