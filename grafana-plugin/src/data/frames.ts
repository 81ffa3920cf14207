/**
 * Gateway tables to Grafana data frames: TIME64NS to time (milliseconds, with the nanoseconds
 * kept in `nanos`), INT64 and FLOAT64 to numbers, BOOLEAN to booleans, STRING and UINT128 to
 * strings; semantic types to units; quantile objects to one numeric field per quantile.
 */
import { DataFrame, DataLink, Field, FieldType } from '@grafana/data';

import { AnswerTable, GatewayColumn, ScriptReference } from '../types/gateway';
import { columnCells } from './columnCells';
import { QUANTILE_TYPES, SHOWN_QUANTILES, unitOf } from './units';

const NS_PER_MS = 1_000_000n;
const DECIMAL = /^-?\d+$/;
/** Digits of a nanosecond count below its milliseconds. */
const NANO_DIGITS = 6;

/** Splits nanoseconds since the epoch (a JSON number or a decimal string) into ms and the rest. */
export function splitNanos(value: unknown): { ms: number; nanos: number } | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = Math.floor(value / 1e6);
    return { ms, nanos: Math.round(value - ms * 1e6) };
  }
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  // A time after 1970 (every time the gateway stores; past 2^53 ns, in April 1970, a string)
  // splits at its digits: BigInt arithmetic on a thousand rows cost a panel a millisecond.
  if (value[0] !== '-') {
    const cut = value.length - NANO_DIGITS;
    return cut > 0
      ? { ms: Number(value.slice(0, cut)), nanos: Number(value.slice(cut)) }
      : { ms: 0, nanos: Number(value) };
  }
  const ns = BigInt(value);
  let ms = ns / NS_PER_MS;
  let rest = ns % NS_PER_MS;
  if (rest < 0n) {
    ms -= 1n;
    rest += NS_PER_MS;
  }
  return { ms: Number(ms), nanos: Number(rest) };
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

function timeField(column: GatewayColumn, cells: unknown[]): Field {
  const values: Array<number | null> = [];
  const nanos: number[] = [];
  for (const cell of cells) {
    const split = splitNanos(cell);
    values.push(split?.ms ?? null);
    nanos.push(split?.nanos ?? 0);
  }
  const field: Field = { name: column.name, type: FieldType.time, config: {}, values };
  if (nanos.some((n) => n !== 0)) field.nanos = nanos;
  return field;
}

function numberField(column: GatewayColumn, cells: unknown[]): Field {
  const unit = unitOf(column.semanticType);
  const scale = unit?.scale ?? 1;
  const values = cells.map((cell) => {
    const n = toNumber(cell);
    return n === null ? null : n * scale;
  });
  return {
    name: column.name,
    type: FieldType.number,
    config: unit ? { unit: unit.unit } : {},
    values,
  };
}

function quantileFields(
  column: GatewayColumn,
  cells: unknown[],
  unit: string | undefined,
  taken: ReadonlySet<string>,
): Field[] {
  const parsed = cells.map((cell) => {
    if (typeof cell !== 'string') return undefined;
    try {
      return JSON.parse(cell) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  });
  // A column the script computed itself (`latency_p99`, say) wins over the split one.
  const shown = SHOWN_QUANTILES.filter((q) => !taken.has(`${column.name}_${q}`));
  return shown.map((q) => ({
    name: `${column.name}_${q}`,
    type: FieldType.number,
    config: unit ? { unit } : {},
    values: parsed.map((obj) => toNumber(obj?.[q])),
  }));
}

/** The fields one column becomes (several for a quantiles column). */
export function columnFields(
  column: GatewayColumn,
  cells: unknown[],
  taken: ReadonlySet<string>,
): Field[] {
  if (column.semanticType in QUANTILE_TYPES) {
    return quantileFields(column, cells, QUANTILE_TYPES[column.semanticType], taken);
  }
  switch (column.type) {
    case 'TIME64NS':
      return [timeField(column, cells)];
    case 'INT64':
    case 'FLOAT64':
      return [numberField(column, cells)];
    case 'BOOLEAN':
      return [
        {
          name: column.name,
          type: FieldType.boolean,
          config: {},
          values: cells.map((c) => (c === null ? null : Boolean(c))),
        },
      ];
    case 'STRING':
    case 'UINT128':
      return [
        {
          name: column.name,
          type: FieldType.string,
          config: {},
          values: cells.map((c) => (c === null ? null : String(c))),
        },
      ];
  }
}

/** Turns a `px.script_reference` column's metadata into a data link, when it can. */
export type LinkMaker = (reference: ScriptReference) => DataLink | undefined;

/** The cells of column `i` of a table of either answer (JSON rows, or Arrow columns). */
export function cellsOf(table: AnswerTable, i: number): unknown[] {
  return 'rows' in table ? table.rows.map((row) => row[i] ?? null) : columnCells(table, i);
}

/** The rows of a table of either answer. */
export function lengthOf(table: AnswerTable): number {
  return 'rows' in table ? table.rows.length : table.length;
}

/** One gateway table as a data frame. */
export function tableToFrame(table: AnswerTable, refId?: string, linkFor?: LinkMaker): DataFrame {
  const taken = new Set(table.columns.map((c) => c.name));
  const fields = table.columns.flatMap((column, i) =>
    columnFields(column, cellsOf(table, i), taken),
  );
  if (linkFor) {
    for (const column of table.columns) {
      const link = column.scriptReference && linkFor(column.scriptReference);
      const field = fields.find((f) => f.name === column.name);
      if (link && field) field.config = { ...field.config, links: [link] };
    }
  }
  return { name: table.name, refId, fields, length: lengthOf(table) };
}
