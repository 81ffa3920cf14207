/** Renders rows as aligned text columns under a header line. Numbers are right-aligned. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** Renders rows as CSV (RFC 4180 quoting). */
export function formatCsv(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const quote = (v: unknown) => {
    const text = cellText(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [headers.map(quote).join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.replace(/\n/g, '\\n');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
