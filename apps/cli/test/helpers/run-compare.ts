import { join } from 'node:path';
import { loadModel } from '@vaekit/core/node';
import { expect } from 'vitest';
import { jsonLines } from './cli.js';

// Two run folders that should hold the same training: every metric and every weight, within a tolerance
// (0 for bit-identical). Reading model files needs a backend and the variants registered: the caller's.

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

/** The largest relative difference, in a loop: a model's million weights overflow a spread call's stack. */
function largestDifference(a: readonly number[], b: readonly number[]): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, relativeDifference(a[i]!, b[i]!));
  return largest;
}

/** Every number of every metrics line, in order, but the wall time. */
function metricValues(out: string): number[] {
  const values: number[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'number') values.push(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  for (const line of jsonLines(join(out, 'metrics.jsonl'))) walk({ ...line, elapsedMs: undefined });
  return values;
}

async function weights(out: string): Promise<number[]> {
  const model = await loadModel(join(out, 'model.vaekit'));
  try {
    return model.variables().flatMap((v) => Array.from(v.variable.dataSync()));
  } finally {
    model.dispose();
  }
}

/** `out` ended where `reference` did: the same metrics and weights within `tolerance` (relative, or absolute below 1). */
export async function expectSameRun(out: string, reference: string, tolerance: number): Promise<void> {
  const [a, b] = [metricValues(out), metricValues(reference)];
  expect(a.length).toBe(b.length);
  expect(a.length).toBeGreaterThan(0);
  const metrics = largestDifference(a, b);
  if (tolerance === 0) expect(metrics).toBe(0);
  else expect(metrics).toBeLessThan(tolerance);
  const [wa, wb] = [await weights(out), await weights(reference)];
  expect(wa.length).toBe(wb.length);
  const weightsDifference = largestDifference(wa, wb);
  if (tolerance === 0) expect(weightsDifference).toBe(0);
  else expect(weightsDifference).toBeLessThan(tolerance);
}
