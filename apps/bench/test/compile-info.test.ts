import { describe, expect, it } from 'vitest';

import { compileRecord, summarizeCompile } from '../src/compile-info.js';

const report = { ops: 359, inputs: 30, outputs: 31, graphDefBytes: 31_000, constantBytes: 900, traceMs: 1000, firstCallMs: 250 };

describe('compile records', () => {
  it('keep what the trainer reported, as plain data', () => {
    expect(compileRecord({ status: 'compiled', mode: 'xla', batchShape: [128, 784], report })).toEqual({
      status: 'compiled',
      mode: 'xla',
      traceMs: 1000,
      firstCallMs: 250,
      ops: 359,
      graphDefBytes: 31_000,
      constantBytes: 900,
    });
    expect(compileRecord({ status: 'eager', reason: 'no function support' })).toEqual({ status: 'eager', reason: 'no function support' });
  });

  it('summarize as medians over rounds; one round that fell back makes the row eager', () => {
    const a = compileRecord({ status: 'compiled', mode: 'auto', batchShape: [128, 784], report });
    const b = compileRecord({ status: 'compiled', mode: 'auto', batchShape: [128, 784], report: { ...report, traceMs: 1200, firstCallMs: 150 } });
    expect(summarizeCompile([a, b], [1500, 1700])).toMatchObject({ status: 'compiled', traceMs: 1100, firstCallMs: 200, firstStepMs: 1600, rounds: 2 });
    expect(summarizeCompile([a, { status: 'eager', reason: 'mid-step read' }])).toEqual({ status: 'eager', reason: 'mid-step read' });
    expect(summarizeCompile([null, undefined])).toBeNull();
  });
});
