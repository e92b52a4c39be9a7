/** Small text formatting helpers shared by the commands. */

/** "1h02m", "3m05s", "12s": compact enough for a progress line. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Loss terms in nats: four significant digits is what a human compares; tiny and huge values go exponential. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** `reconstruction 80.12 kl 25.3`: the terms of a step or epoch, `total` first as `loss`. */
export function formatTerms(terms: Readonly<Record<string, number>>): string {
  const parts: string[] = [];
  if (terms.total !== undefined) parts.push(`loss ${formatNumber(terms.total)}`);
  for (const [name, value] of Object.entries(terms)) {
    if (name === 'total') continue;
    parts.push(`${name === 'reconstruction' ? 'rec' : name} ${formatNumber(value)}`);
  }
  return parts.join('  ');
}

/** Left-aligned columns separated by two spaces; `rows[0]` is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
