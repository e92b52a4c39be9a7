import { describe, expect, it } from 'vitest';

import type { CompileRecord } from '../src/compile-info.js';
import { mergeVariants } from '../src/measure.js';
import type { VariantCollected } from '../src/report.js';
import { fallbackLines, nativeVariantRows, nativeVariantTable, speedupVerdict, variantTable } from '../src/variants-report.js';
import type { VariantTimes } from '../src/variant-times.js';

const compiled = (mode: 'auto' | 'xla', traceMs: number, firstCallMs: number): CompileRecord => ({
  status: 'compiled',
  mode,
  traceMs,
  firstCallMs,
  ops: 300,
  graphDefBytes: 20_000,
  constantBytes: 0,
});

const times = (className: string, stepMs: number[], compile?: CompileRecord | null): VariantTimes => ({
  className,
  parameters: 1_380_000,
  stepMs,
  encodeMs: [5],
  firstStepMs: 2000,
  ...(compile !== undefined ? { compile } : {}),
});

/** Two alternating rounds of the three native sweeps, merged as the bench merges them. */
function collect(): VariantCollected[] {
  const variants = new Map<string, VariantCollected>();
  for (let round = 0; round < 2; round++) {
    mergeVariants(variants, 'native-eager', { variants: [times('Vae', [24, 25, 24], null), times('VqVae', [30, 30]), times('Ladder', [40, 41])] });
    mergeVariants(variants, 'native-compiled', {
      variants: [
        times('Vae', [11, 11, 12], compiled('auto', 400, 300)),
        times('VqVae', [30, 30], { status: 'eager', reason: 'VqVae reads its codebook usage mid-step' }),
        // Ladder's compiled steps scatter: 10 or 40 ms.
        times('Ladder', [10, 40, 10, 40], compiled('auto', 1200, 700)),
      ],
    });
    mergeVariants(variants, 'native-xla', { variants: [times('Vae', [8, 8, 8], compiled('xla', 500, 4000 + round * 1000))] });
  }
  return [...variants.values()];
}

describe('native variant table', () => {
  const rows = nativeVariantRows(collect());

  it('gives eager over compiled per variant, and medians of the trace costs over rounds', () => {
    const vae = rows.find((r) => r.className === 'Vae')!;
    expect(vae.compiledSpeedup).toBeCloseTo(24 / 11);
    expect(vae.xlaSpeedup).toBeCloseTo(3);
    expect(vae.compiled!.step.rounds).toBe(2);
    expect(vae.xla!.compile).toMatchObject({ status: 'compiled', traceMs: 500, firstCallMs: 4500, rounds: 2 });
    const table = nativeVariantTable(rows);
    const line = table.split('\n').find((l) => l.startsWith('| Vae '))!;
    expect(line).toMatch(/\|\s+24\.0 \|\s+11\.0 \|\s+2\.18x \|\s+8\.00 \|\s+3\.00x \|\s+400 \|\s+300 \|\s+500 \|\s+4500 \|/);
  });

  it('names a fallback instead of a ratio, and a noisy side instead of a multiple', () => {
    const vq = rows.find((r) => r.className === 'VqVae')!;
    expect(vq.compiledNote).toBe('fell back to eager');
    expect(fallbackLines(rows)).toEqual(['- VqVae, compiled: ran op by op: VqVae reads its codebook usage mid-step']);
    const ladder = rows.find((r) => r.className === 'Ladder')!;
    expect(ladder.compiledNote).toBe('noisy');
    expect(nativeVariantTable(rows)).toContain('(noisy)');
    expect(speedupVerdict(rows)).toBe('Compiled step faster than eager: 1 of 3 variants; no ratio: VqVae (fell back to eager), Ladder (noisy).');
  });

  it('keeps the other backends\' table, and says "noisy" when PyTorch\'s reference is', () => {
    const v = collect();
    const quiet = variantTable(v, [{ id: 'native-compiled', label: 'native compiled' }], { id: 'pytorch-1t', step: 22, encode: 5, noisy: false });
    expect(quiet).toContain('90.9 (2.00x)');
    const noisy = variantTable(v, [{ id: 'native-compiled', label: 'native compiled' }], { id: null, step: Number.NaN, encode: 5, noisy: true });
    expect(noisy).toContain('90.9 (noisy)');
  });
});
