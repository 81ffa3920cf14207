/**
 * Renders rows as aligned text columns under a header line. Numbers are right-aligned, and so
 * are the columns `rightAligned` names (numbers already formatted as text).
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  rightAligned?: readonly boolean[],
): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = headers.map((h, i) =>
    Math.max([...h].length, ...cells.map((r) => [...r[i]!].length)),
  );
  const numeric = headers.map(
    (_, i) => rightAligned?.[i] ?? (rows.length > 0 && rows.every((r) => typeof r[i] === 'number')),
  );
  const pad = (v: string, w: number, right: boolean) => {
    const fill = ' '.repeat(Math.max(0, w - [...v].length));
    return right ? fill + v : v + fill;
  };
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, numeric[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** Renders rows as CSV (RFC 4180 quoting): every value exact, line breaks inside quotes. */
export function formatCsv(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const quote = (v: unknown) => {
    const text = exactText(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [headers.map(quote).join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n');
}

function exactText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A cell on one line: line breaks shown as `\n`. */
function cellText(v: unknown): string {
  return exactText(v).replace(/\r?\n/g, '\\n');
}
