import { isoNs } from './iso-time';
import {
  formatByteRate,
  formatBytes,
  formatDuration,
  formatPercent,
  formatRatePerSecond,
} from './units';

/** A result column as the query API describes it. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
  readonly semanticType: string;
}

/** A result table as the query API answers it. */
export interface ResultTable {
  readonly name: string;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/** A table made for reading: text cells, and which columns are numbers (right-aligned). */
export interface ReadableTable {
  readonly headers: string[];
  readonly rows: string[][];
  readonly numeric: boolean[];
}

/** Text cells longer than this are cut with an ellipsis, unless `wide`. */
export const MAX_CELL_CHARS = 60;

/** The quantiles shown of a `px.quantiles` column, each a column of its own. */
const SHOWN_QUANTILES = ['p50', 'p90', 'p99'] as const;

const NUMBER_TYPES = new Set(['INT64', 'FLOAT64']);

/**
 * Formats a result table by each column's semantic type, as Pixie's CLI does: times in ISO
 * 8601, durations, bytes, percentages and rates per second with units, quantiles as p50, p90
 * and p99 columns, long text cut with an ellipsis (all of it with `wide`).
 */
export function readableTable(t: ResultTable, wide: boolean): ReadableTable {
  const headers: string[] = [];
  const numeric: boolean[] = [];
  const cells: ((row: readonly unknown[]) => string)[] = [];
  t.columns.forEach((c, i) => {
    if (c.semanticType === 'ST_QUANTILES' || c.semanticType === 'ST_DURATION_NS_QUANTILES') {
      const unit = c.semanticType === 'ST_DURATION_NS_QUANTILES' ? formatDuration : plainNumber;
      for (const q of SHOWN_QUANTILES) {
        headers.push(`${c.name}_${q}`);
        numeric.push(true);
        cells.push((row) => quantileCell(row[i], q, unit));
      }
      return;
    }
    headers.push(c.name);
    numeric.push(NUMBER_TYPES.has(c.type));
    cells.push((row) => cut(cellText(row[i], c), wide));
  });
  return { headers, numeric, rows: t.rows.map((row) => cells.map((cell) => cell(row))) };
}

function cellText(v: unknown, c: ResultColumn): string {
  if (v === null || v === undefined) return '';
  if (c.type === 'TIME64NS' && (typeof v === 'number' || typeof v === 'string')) {
    return isoNs(BigInt(v));
  }
  if (NUMBER_TYPES.has(c.type) && (typeof v === 'number' || typeof v === 'string')) {
    const n = Number(v);
    switch (c.semanticType) {
      case 'ST_DURATION_NS':
        return formatDuration(n);
      case 'ST_BYTES':
        return formatBytes(n);
      case 'ST_PERCENT':
        return formatPercent(n);
      case 'ST_THROUGHPUT_PER_NS':
        return formatRatePerSecond(n);
      case 'ST_THROUGHPUT_BYTES_PER_NS':
        return formatByteRate(n);
      default:
        return c.type === 'FLOAT64' ? plainNumber(n) : String(v);
    }
  }
  if (typeof v === 'string') return v.replace(/\r?\n/g, '\\n');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function quantileCell(v: unknown, q: string, unit: (n: number) => string): string {
  if (typeof v !== 'string') return '';
  try {
    const value = (JSON.parse(v) as Record<string, unknown>)[q];
    return typeof value === 'number' ? unit(value) : '';
  } catch {
    return '';
  }
}

/** A float with at most six significant digits (`0.333333`, not `0.33333333333333331`). */
function plainNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function cut(text: string, wide: boolean): string {
  if (wide) return text;
  const chars = [...text];
  return chars.length <= MAX_CELL_CHARS ? text : `${chars.slice(0, MAX_CELL_CHARS - 1).join('')}…`;
}
