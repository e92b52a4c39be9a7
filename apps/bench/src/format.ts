// Number formatting and Markdown tables for the bench's report (pure; unit-tested).

/** A number with about three significant digits, or an en dash when missing. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return Math.round(value).toString();
  if (abs === 0) return '0';
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return value.toFixed(Math.min(decimals, 4));
}

/** A speed ratio as "1.23x" (or an en dash). */
export function fmtRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x` : '–';
}

/** Bytes as MB with one decimal. */
export function fmtMB(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined || !Number.isFinite(bytes) ? '–' : (bytes / 2 ** 20).toFixed(1);
}

export type Align = 'left' | 'right';

/** A GitHub-flavoured Markdown table; cells are escaped for '|'. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => esc(r[i] ?? '').length), 3));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (align?.[i] === 'right' ? esc(c).padStart(widths[i]!) : esc(c).padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align?.[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}
