import { describe, expect, it } from 'vitest';

import { markdown } from '../src/markdown.js';
import { comparisonRows, comparisonTable, firstCallTable, headlineRows, headlineTable } from '../src/headline.js';
import { w1Rows, type W1Collected } from '../src/report.js';

type Rounds = number[][];

const python = (id: string, rounds: Rounds, first = 900): W1Collected => ({
  impl: { id, label: id, env: 'python', runtime: `${id} runtime` },
  paths: { python: { rounds, kernels: null, peakBytes: null, firstStepRounds: rounds.map(() => first) } },
  encodeRounds: [[5]],
  maxRssBytes: null,
  errors: [],
});

const compiledRecord = (mode: 'auto' | 'xla', traceMs: number, firstCallMs: number) =>
  ({ status: 'compiled', mode, traceMs, firstCallMs, ops: 359, graphDefBytes: 30 * 1024, constantBytes: 1024 }) as const;

const native = (id: string, rounds: Rounds, compile: 'auto' | 'xla' | false, extra: Partial<W1Collected['paths'][string]> = {}): W1Collected => ({
  impl: { id, label: id, env: 'node', runtime: 'TensorFlow 2.21.0 (C library)' },
  paths: {
    trainer: {
      rounds,
      kernels: compile === false ? 440 : null,
      peakBytes: null,
      ...(compile === false ? {} : { compileRounds: rounds.map(() => compiledRecord(compile, 1000, compile === 'xla' ? 5000 : 250)), firstStepRounds: rounds.map(() => 1400) }),
      ...extra,
    },
    ...(compile === false ? { raw: { rounds, kernels: 420, peakBytes: null } } : {}),
  },
  encodeRounds: [[10]],
  maxRssBytes: null,
  errors: [],
});

// Three quiet rounds for everyone except PyTorch with 2 threads, which stalls in one round.
const run: W1Collected[] = [
  native('native-eager', [[24], [25], [24]], false),
  native('native-compiled', [[11], [11.5], [11]], 'auto'),
  native('native-xla', [[8.5], [8.4], [8.6]], 'xla'),
  python('pytorch-1t', [[14.7], [14.9], [14.6]]),
  python('pytorch', [[13], [40], [13.5]]),
  python('tensorflow', [[10.2], [10.5], [10.4]], 1200),
  python('tensorflow-xla', [[8.2], [8.3], [8.4]], 4000),
];

describe('headline', () => {
  const rows = headlineRows(w1Rows(run));

  it('has one row per headline implementation, in order, with its noise verdict', () => {
    expect(rows.map((r) => r.id)).toEqual(['native-eager', 'native-compiled', 'native-xla', 'pytorch-1t', 'pytorch', 'tensorflow', 'tensorflow-xla']);
    expect(rows.find((r) => r.id === 'pytorch')!.verdict.noisy).toBe(true);
    expect(rows.filter((r) => r.verdict.noisy)).toHaveLength(1);
    const table = headlineTable(rows);
    expect(table).toContain('noisy: round medians 3.08x apart');
    expect(table).toContain('13.0–40.0 (3)');
  });

  it('prints the issue\'s ratios, and "noisy" instead of a multiple against PyTorch with 2 threads', () => {
    const cmp = comparisonRows(rows);
    const get = (subject: string, reference: string) => cmp.find((c) => c.subject === subject && c.reference === reference)!;
    expect(get('native-compiled', 'pytorch-1t').ratio).toBeCloseTo(14.7 / 11);
    expect(get('native-compiled', 'pytorch-1t').met).toBe('yes');
    // 11 ms against 10.4 ms: within 1.15x.
    expect(get('native-compiled', 'tensorflow').met).toBe('yes');
    // 8.5 against 8.3: within 1.1x.
    expect(get('native-xla', 'tensorflow-xla').ratio).toBeCloseTo(8.3 / 8.5);
    expect(get('native-xla', 'tensorflow-xla').met).toBe('yes');
    expect(get('native-compiled', 'native-eager').ratio).toBeCloseTo(24 / 11);
    const pt2 = get('native-compiled', 'pytorch');
    expect(pt2.ratio).toBeNaN();
    expect(pt2.note).toBe('noisy (pytorch)');
    const table = comparisonTable(cmp);
    expect(table).toContain('noisy (pytorch');
    expect(table).toContain('step within 1.15x (>= 0.87x)');
  });

  it('calls PyTorch with 2 threads noisy when it is slower than its own 1-thread setting, even if its rounds agree', () => {
    const stalled = run.map((c) => (c.impl.id === 'pytorch' ? python('pytorch', [[420], [425], [418]]) : c));
    const rows2 = headlineRows(w1Rows(stalled));
    const pt2 = rows2.find((r) => r.id === 'pytorch')!;
    expect(pt2.verdict.noisy).toBe(true);
    expect(pt2.verdict.why).toBe('slower than pytorch-1t (420 vs 14.7 ms): its threads wait for a busy core');
    expect(comparisonRows(rows2).find((c) => c.reference === 'pytorch')!.note).toBe('noisy (pytorch)');
    // The quiet case: 2 threads faster than 1 is no stall.
    const quiet = run.map((c) => (c.impl.id === 'pytorch' ? python('pytorch', [[13], [13.2], [13.1]]) : c));
    expect(headlineRows(w1Rows(quiet)).find((r) => r.id === 'pytorch')!.verdict.noisy).toBe(false);
  });

  it('says "no" when a target is missed', () => {
    const slow = run.map((c) => (c.impl.id === 'native-compiled' ? native('native-compiled', [[13], [13], [13]], 'auto') : c));
    const cmp = comparisonRows(headlineRows(w1Rows(slow)));
    expect(cmp.find((c) => c.reference === 'tensorflow')!.met).toBe('no');
    expect(cmp.find((c) => c.reference === 'pytorch-1t')!.met).toBe('yes');
  });

  it('gives no ratio for a compiled row that fell back to op by op', () => {
    const fellBack = run.map((c) =>
      c.impl.id === 'native-xla' ? native('native-xla', [[30], [30], [30]], 'xla', { compileRounds: [{ status: 'eager', reason: 'the addon cannot register functions' }] }) : c,
    );
    const rows2 = headlineRows(w1Rows(fellBack));
    const cmp = comparisonRows(rows2).find((c) => c.subject === 'native-xla' && c.reference === 'tensorflow-xla')!;
    expect(cmp.ratio).toBeNaN();
    expect(cmp.note).toBe('fell back to eager');
    expect(firstCallTable(rows2)).toContain('ran op by op: the addon cannot register functions');
  });

  it('reports trace and first-call costs apart from the steps, beside the references\' first steps', () => {
    const table = firstCallTable(rows);
    const line = (id: string) => table.split('\n').find((l) => l.startsWith(`| ${id} `))!;
    expect(line('native-xla')).toMatch(/\|\s+1000 \|\s+5000 \|\s+1400 \|\s+359 \|\s+30\.0 \|\s+1\.00 \|\s+3 \|/);
    expect(line('tensorflow-xla')).toContain('4000');
  });
});

describe('results.md', () => {
  it('puts the headline, its ratios, first-call costs and the load average first', () => {
    const md = markdown({
      quick: false,
      rounds: 3,
      rows: w1Rows(run),
      all: run,
      variants: [],
      variantImpls: [],
      load: { cpus: 2, before: [0.21, 0.3, 0.4], after: [1.5, 0.9, 0.6], perRound: [0.2, 1.1, 1.4] },
      minutes: '12.0',
    });
    const at = (text: string) => md.indexOf(text);
    expect(at('## Headline')).toBeGreaterThan(0);
    expect(at('Load average (1/5/15 min) 0.2/0.3/0.4 before, 1.5/0.9/0.6 after, on 2 logical cores; 1-min load as each round started: 0.2, 1.1, 1.4.')).toBeGreaterThan(at('## Headline'));
    expect(at('| native-compiled vs tensorflow ')).toBeGreaterThan(0);
    expect(at('### First call')).toBeGreaterThan(at('| native-compiled vs tensorflow '));
    expect(at('## W1 training step and W2 encode, every implementation')).toBeGreaterThan(at('### First call'));
    expect(md).toContain('more than 1.5x apart');
  });
});
