import type { CompileEvent, EvaluationResult } from '@vaekit/core';
import { describeCompile } from './compile-flag.js';
import { formatNumber, formatTable } from './format.js';

/** Each batch shape and chunk size is traced on its own; one line on how the log-weights run is enough. */
export function noteOnce(write: (line: string) => void): (event: CompileEvent) => void {
  let said = false;
  return (event) => {
    if (said && event.status === 'compiled') return;
    said = true;
    write(describeCompile(event, 'IWAE log-weights'));
  };
}

/** A bound of `nats` per example as nats and bits per data value (−log p / (D ln 2), D values per example). */
export function natsAndBits(nats: number, dimensions: number): string {
  return `${nats.toFixed(2)} nats (${bitsPerValue(nats, dimensions)})`;
}

function bitsPerValue(nats: number, dimensions: number): string {
  return `${(nats / (dimensions * Math.LN2)).toFixed(3)} bits/dim`;
}

/**
 * The figures of `vaekit eval` as a two-column table, per example, in nats, with the likelihood and, for
 * the bounds, bits per data value (−log p / (D ln 2), D values per example); `extraRows` (a sampler's) last.
 */
export function evaluationTable(
  className: string,
  source: string,
  r: EvaluationResult,
  likelihood: string,
  dimensions: number,
  extraRows: readonly string[][] = [],
): string {
  const rows: string[][] = [
    ['model', className],
    ['likelihood', likelihood],
    ['data', `${source} (${r.examples} examples)`],
    ['ELBO', `${r.elbo.toFixed(2)} nats (${bitsPerValue(-r.elbo, dimensions)})`],
    ['reconstruction', `${r.reconstruction.toFixed(2)} nats`],
    ['KL', `${r.kl.toFixed(2)} nats`],
  ];
  if (r.iwae) rows.push([`IWAE NLL (k=${r.iwae.k})`, natsAndBits(r.iwae.nll, dimensions)]);
  if (r.activeUnits) {
    const rule =
      r.activeUnits.criterion === 'kl'
        ? `KL > ${r.activeUnits.threshold} nats`
        : `variance of E_q[z] over the data > ${r.activeUnits.threshold}; a flow's KL does not split per dimension`;
    rows.push(['active units', `${r.activeUnits.count}/${r.activeUnits.total} (${rule})`]);
  }
  for (const [name, value] of Object.entries(r.metrics)) rows.push([name, formatNumber(value)]);
  rows.push(...extraRows);
  return formatTable(rows);
}
