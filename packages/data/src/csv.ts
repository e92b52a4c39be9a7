import { DataError } from './data-error.js';
import type { LoadedData } from './types.js';

export interface CsvOptions {
  /**
   * Whether the first row names the columns. 'auto' (the default) treats it as a header when one of
   * its non-empty fields is not a number; a row of numbers with a gap is data (and the gap an error).
   */
  header?: boolean | 'auto';
  /** Field separator. Default ','. */
  delimiter?: string;
}

/**
 * Parse numeric CSV text: one example per row, every row the same number of fields.
 * Blank lines are skipped; fields may be padded with spaces or quoted. `source` names the file in errors.
 */
export function parseCsv(text: string, source = 'the CSV data', options: CsvOptions = {}): LoadedData {
  const delimiter = options.delimiter ?? ',';
  const lines = text.split(/\r?\n/);
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    rows.push({ line: i + 1, fields: line.split(delimiter).map(unquote) });
  });
  const first = rows[0];
  if (first === undefined) throw new DataError(`${source} is empty`);

  const headerMode = options.header ?? 'auto';
  const hasHeader = headerMode === 'auto' ? looksLikeHeader(first.fields) : headerMode;
  const body = hasHeader ? rows.slice(1) : rows;
  const columns = first.fields.length;
  if (body.length === 0) throw new DataError(`${source} has a header but no data rows`);

  const data = new Float32Array(body.length * columns);
  body.forEach((row, r) => {
    if (row.fields.length !== columns) {
      throw new DataError(
        `${source} line ${row.line} has ${row.fields.length} fields, but ${hasHeader ? 'the header' : 'the first row'} has ${columns}`,
      );
    }
    row.fields.forEach((field, c) => {
      const value = parseNumber(field);
      if (value === undefined) {
        throw new DataError(`${source} line ${row.line}, column ${c + 1}: '${field}' is not a number`);
      }
      data[r * columns + c] = value;
    });
  });
  return { data, count: body.length, exampleShape: [columns] };
}

/**
 * A header names columns, so some field of it is a word. An empty field says nothing either way: a
 * first row such as `1,,0` is data with a missing value, and taking it as a header would silently drop
 * an example (and the gap would go unreported).
 */
function looksLikeHeader(fields: readonly string[]): boolean {
  return fields.some((field) => field !== '' && parseNumber(field) === undefined);
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
}

/**
 * A number, or undefined if the field is not one. Number('') is 0, so empty fields are refused here;
 * NaN and Infinity spelled out parse (as numpy writes them) and are left for the validator to report.
 */
function parseNumber(field: string): number | undefined {
  if (field === '') return undefined;
  if (/^[+-]?(nan|inf|infinity)$/i.test(field)) {
    if (/nan/i.test(field)) return Number.NaN;
    return field.startsWith('-') ? -Infinity : Infinity;
  }
  const value = Number(field);
  return Number.isNaN(value) ? undefined : value;
}
