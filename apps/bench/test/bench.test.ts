import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';

import { renderChart, COLORS } from '../src/chart.js';
import { glyph, textWidth } from '../src/font.js';
import { fmt, fmtRatio, markdownTable } from '../src/format.js';
import { chartSpec, w1Rows, w1Table, type W1Collected } from '../src/report.js';
import { median, noiseVerdict, perSecond, quantile, speedRatio, summarizeRounds } from '../src/stats.js';

describe('stats', () => {
  it('median of odd, even, empty and non-finite input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN, 5])).toBe(5);
  });
  it('quantiles interpolate', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });
  it('summarizes rounds as the median of round medians', () => {
    const s = summarizeRounds([[10, 11, 100], [12, 12, 13], [9, 40, 41]]);
    expect(s.median).toBe(12);
    expect(s.roundMin).toBe(11);
    expect(s.roundMax).toBe(40);
    expect(s.rounds).toBe(3);
    expect(s.samples).toBe(9);
  });
  it('speed ratios are reference time over time', () => {
    expect(speedRatio(10, 20)).toBe(2);
    expect(speedRatio(40, 20)).toBe(0.5);
    expect(speedRatio(Number.NaN, 20)).toBeNaN();
    expect(speedRatio(0, 20)).toBeNaN();
    expect(perSecond(20)).toBe(50);
  });
  it('calls a figure noisy when its round medians are over 1.5x apart or its IQR is over half its median', () => {
    expect(noiseVerdict(summarizeRounds([[10, 10, 11], [12, 12, 12], [14, 14, 14]])).noisy).toBe(false);
    const stalled = noiseVerdict(summarizeRounds([[10, 10, 10], [16, 16, 16]]));
    expect(stalled.noisy).toBe(true);
    expect(stalled.roundSpread).toBeCloseTo(1.6);
    expect(stalled.why).toContain('1.60x apart');
    // One round: only the scatter of its steps can say it is noisy.
    const scattered = noiseVerdict(summarizeRounds([[10, 10, 30, 30]]));
    expect(scattered.roundSpread).toBeNaN();
    expect(scattered.noisy).toBe(true);
    expect(scattered.why).toContain('IQR/median');
    expect(noiseVerdict(summarizeRounds([[10, 11, 12, 13]])).noisy).toBe(false);
  });
});

describe('formatting', () => {
  it('formats numbers and ratios', () => {
    expect(fmt(36.234)).toBe('36.2');
    expect(fmt(0.01234)).toBe('0.0123');
    expect(fmt(1613.4)).toBe('1613');
    expect(fmt(Number.NaN)).toBe('–');
    expect(fmtRatio(2.641)).toBe('2.64x');
    expect(fmtRatio(37.5)).toBe('37.5x');
  });
  it('builds an aligned Markdown table and escapes pipes', () => {
    const t = markdownTable(['a', 'b'], [['x|y', '1'], ['z', '22']], ['left', 'right']).split('\n');
    expect(t).toHaveLength(4);
    expect(t[1]).toMatch(/^\| -+ \| -+: \|$/);
    expect(t[2]).toContain('x\\|y');
    expect(new Set(t.map((l) => l.length)).size).toBe(1);
  });
});

const impl = (id: string, env: 'node' | 'python' = 'node'): W1Collected['impl'] => ({ id, label: id, env, runtime: '' });
const collected: W1Collected[] = [
  { impl: impl('pytorch', 'python'), paths: { python: { rounds: [[20, 20], [30]], kernels: null, peakBytes: null } }, encodeRounds: [[10]], maxRssBytes: 1, errors: [] },
  { impl: impl('pytorch-1t', 'python'), paths: { python: { rounds: [[10, 10]], kernels: null, peakBytes: null } }, encodeRounds: [[8]], maxRssBytes: 1, errors: [] },
  { impl: impl('tensorflow', 'python'), paths: { python: { rounds: [[5]], kernels: null, peakBytes: null } }, encodeRounds: [[4]], maxRssBytes: 1, errors: [] },
  {
    impl: impl('native-eager'),
    paths: { trainer: { rounds: [[20], [20]], kernels: 470, peakBytes: 2 ** 20 }, raw: { rounds: [[10]], kernels: 400, peakBytes: null } },
    encodeRounds: [[16]],
    maxRssBytes: 2 ** 21,
    errors: [],
  },
  {
    impl: impl('native-compiled'),
    paths: {
      trainer: {
        rounds: [[8], [8]],
        kernels: null,
        peakBytes: null,
        compileRounds: [
          { status: 'compiled', mode: 'auto', traceMs: 900, firstCallMs: 300, ops: 359, graphDefBytes: 31_000, constantBytes: 900 },
          { status: 'compiled', mode: 'auto', traceMs: 1100, firstCallMs: 200, ops: 359, graphDefBytes: 31_000, constantBytes: 900 },
        ],
        firstStepRounds: [1300, 1400],
      },
    },
    encodeRounds: [[16]],
    maxRssBytes: 2 ** 21,
    errors: [],
  },
];

describe('report', () => {
  it('divides by the faster PyTorch setting and by TensorFlow', () => {
    const rows = w1Rows(collected);
    const trainer = rows.find((r) => r.impl.id === 'native-eager' && r.path === 'trainer')!;
    expect(trainer.xPyTorch).toBeCloseTo(0.5);
    expect(trainer.xTensorFlow).toBeCloseTo(0.25);
    expect(trainer.encodeXPyTorch).toBeCloseTo(0.5);
    const raw = rows.find((r) => r.path === 'raw')!;
    expect(raw.xPyTorch).toBeCloseTo(1);
    const table = w1Table(rows);
    expect(table).toContain('0.50x');
    expect(table.split('\n')).toHaveLength(2 + rows.length);
  });
  it('summarizes a compiled row\'s trace costs over rounds and keeps the first step out of the step times', () => {
    const compiled = w1Rows(collected).find((r) => r.impl.id === 'native-compiled')!;
    expect(compiled.step.median).toBe(8);
    expect(compiled.firstStepMs).toBe(1350);
    expect(compiled.compile).toMatchObject({ status: 'compiled', mode: 'auto', traceMs: 1000, firstCallMs: 250, ops: 359, rounds: 2 });
  });
  it('divides by no PyTorch setting that is noisy, and says so', () => {
    // The 1-thread setting stalls in one round: the 2-thread one (slower, but steady) becomes the reference.
    const noisy: W1Collected[] = collected.map((c) =>
      c.impl.id === 'pytorch-1t' ? { ...c, paths: { python: { rounds: [[10, 10], [30, 30]], kernels: null, peakBytes: null } } } : c,
    );
    const rows = w1Rows(noisy);
    expect(rows[0]!.refs.pytorch).toMatchObject({ id: 'pytorch', noisy: false });
    expect(rows.find((r) => r.impl.id === 'native-eager' && r.path === 'trainer')!.xPyTorch).toBeCloseTo(1.25);
    // Both settings noisy: no reference, and the table prints "noisy" instead of a multiple.
    const allNoisy = noisy.map((c) => (c.impl.id === 'pytorch' ? { ...c, paths: { python: { rounds: [[10], [40]], kernels: null, peakBytes: null } } } : c));
    const rows2 = w1Rows(allNoisy);
    expect(rows2[0]!.refs.pytorch.noisy).toBe(true);
    expect(rows2[0]!.xPyTorch).toBeNaN();
    expect(w1Table(rows2)).toContain('noisy');
  });
});

describe('chart', () => {
  it('has a glyph for every character it draws and measures text', () => {
    for (const ch of 'ABCXYZ0123456789 .,:;-+/()%=_x') expect(glyph(ch)).toHaveLength(7);
    expect(textWidth('AB', 2)).toBe(22);
  });
  it('renders a PNG that decodes to the stated size', () => {
    const rows = w1Rows(collected);
    const spec = chartSpec(rows, [], [], 'TEST');
    const png = renderChart({ ...spec, width: 900 });
    const decoded = pngjs.PNG.sync.read(png);
    expect(decoded.width).toBe(900);
    expect(decoded.height).toBeGreaterThan(200);
    // Some bar pixels carry the native colour.
    let found = false;
    for (let i = 0; i < decoded.data.length && !found; i += 4) {
      found = decoded.data[i] === COLORS.native[0] && decoded.data[i + 1] === COLORS.native[1] && decoded.data[i + 2] === COLORS.native[2];
    }
    expect(found).toBe(true);
  });
});
