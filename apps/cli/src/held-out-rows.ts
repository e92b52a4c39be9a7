import { DataError, splitIndices, type Split, type SplitSpec } from '@vaekit/data';

/** The share of a user's file a fresh run holds out for validation and pictures. */
export const HELD_OUT_FRACTION = 0.1;

/**
 * Which rows of a user's file a run held out, as config.json records it: a seeded random fraction, or
 * the rows themselves as compact ranges ("900-999"). `rows` is the file's row count at training time,
 * so the same split is only ever applied to a file of that length.
 */
export type SplitRecord =
  | { readonly heldOutFraction: number; readonly seed: number; readonly rows: number }
  | { readonly heldOutRows: string; readonly rows: number };

/** A fresh run's split: a tenth of the rows at random, drawn from the run's seed. */
export function freshSplit(rows: number, seed: number): SplitRecord {
  return { heldOutFraction: HELD_OUT_FRACTION, seed, rows };
}

/**
 * The split of runs whose config.json predates split records: the last tenth (at least one row) of a
 * file of ten rows or more, none of a smaller one. Kept so such runs resume on the same rows.
 */
export function tailSplit(rows: number): SplitRecord {
  const held = rows >= 10 ? Math.max(1, Math.floor(rows / 10)) : 0;
  return { heldOutRows: formatRanges(Array.from({ length: held }, (_, i) => rows - held + i)), rows };
}

/** The training and held-out rows of a file of `rows` rows; a file of another length is refused. */
export function applySplit(record: SplitRecord, rows: number, source: string): Split {
  if (record.rows !== rows) {
    throw new DataError(
      `${source} has ${rows} rows, but the run was trained on ${record.rows}: the file changed since, so its held-out rows are unknown; ` +
        'pass --rows all to use every row, or the file the run was trained on',
    );
  }
  const spec: SplitSpec = 'heldOutRows' in record ? { heldOutIndices: parseRanges(record.heldOutRows) } : record;
  return splitIndices(rows, spec);
}

/** "10 random rows (10%, seed 0)" or "rows 90-99", for messages. */
export function describeSplit(record: SplitRecord, held: number): string {
  if ('heldOutRows' in record) return held === 0 ? 'no rows' : `rows ${record.heldOutRows}`;
  return `${held} random rows (${Math.round(record.heldOutFraction * 1000) / 10}%, seed ${record.seed})`;
}

/** Increasing row numbers as ranges: [0, 1, 2, 5, 7, 8] -> "0-2,5,7-8"; [] -> "". */
export function formatRanges(rows: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j]! + 1) j++;
    parts.push(i === j ? `${rows[i]}` : `${rows[i]}-${rows[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The inverse of formatRanges; throws a DataError naming a part that is not a row or a range of rows. */
export function parseRanges(text: string): number[] {
  if (text.trim() === '') return [];
  const rows: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const first = Number(match?.[1]);
    const last = match?.[2] !== undefined ? Number(match[2]) : first;
    if (!match || last < first) throw new DataError(`'${part}' is not a row or a range of rows such as 90-99`);
    for (let row = first; row <= last; row++) rows.push(row);
  }
  return rows;
}

/** Whether a parsed config.json value is a split record (a damaged one is treated as absent). */
export function isSplitRecord(value: unknown): value is SplitRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['rows'] !== 'number') return false;
  if (typeof v['heldOutRows'] === 'string') return true;
  return typeof v['heldOutFraction'] === 'number' && typeof v['seed'] === 'number';
}
