import { DataType } from '../../../../shared/contract/types';
import { Cell, ResultTable } from '../../pxl/execute/result';
import { KNOWN_CALLS, histogramBounds } from '../../pxl/export/otel';
import { SpecCall, SpecValue, isSpecCall, isSpecColumn, isSpecDict } from '../../pxl/export/spec';

/**
 * A px.export spec the exporters cannot use (a literal where a column is needed, a column of
 * the wrong type, a call in the wrong place). The message names the call and the argument.
 */
export class ExportSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportSpecError';
  }
}

/** A value per row: a column of the exported table, or one literal for every row. */
export type RowValue =
  | { kind: 'column'; name: string; index: number; type: DataType }
  | { kind: 'literal'; value: Exclude<SpecValue, object> | bigint };

/** Reads one px.otel call of an exported table: its arguments, checked against the table. */
export class CallReader {
  readonly args: Readonly<Record<string, SpecValue>>;

  constructor(
    readonly call: SpecCall,
    private readonly table: ResultTable,
  ) {
    this.args = namedArgs(call);
  }

  /** `call.name` for messages. */
  get name(): string {
    return this.call.call;
  }

  has(arg: string): boolean {
    const v = this.args[arg];
    return v !== undefined && v !== null;
  }

  fail(arg: string, what: string): never {
    throw new ExportSpecError(`${this.name}(${arg}=...): ${what}`);
  }

  /** A literal string argument (or `fallback` when absent). */
  string(arg: string, fallback?: string): string {
    const v = this.args[arg];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== 'string') this.fail(arg, `expected a string, got ${show(v)}`);
    return v;
  }

  boolean(arg: string, fallback: boolean): boolean {
    const v = this.args[arg];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(arg, `expected True or False, got ${show(v)}`);
    return v;
  }

  number(arg: string, fallback: number): number {
    const v = this.args[arg];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number') this.fail(arg, `expected a number, got ${show(v)}`);
    return v;
  }

  /** Histogram bounds (see histogramBounds): the defaults when absent. */
  bounds(arg: string): readonly number[] {
    const bounds = histogramBounds(this.args[arg]);
    if (bounds === 'not numbers') {
      this.fail(arg, `expected a list of numbers, got ${show(this.args[arg])}`);
    }
    if (bounds === 'not ascending') this.fail(arg, 'must be strictly ascending');
    return bounds;
  }

  /** A column, or a literal when `literals` allows it. */
  value(arg: string, types: readonly DataType[], literals = false): RowValue {
    const v = this.args[arg];
    if (isSpecColumn(v)) return this.column(arg, v.column, types);
    if (literals && v !== undefined && v !== null && typeof v !== 'object') {
      return { kind: 'literal', value: v };
    }
    return this.fail(arg, `expected a column${literals ? ' or a literal' : ''}, got ${show(v)}`);
  }

  /** A dict of strings to columns or literals (attributes, resources). */
  attributes(arg: string): [string, RowValue][] {
    const v = this.args[arg];
    if (v === undefined || v === null) return [];
    if (!isSpecDict(v)) this.fail(arg, `expected a dict, got ${show(v)}`);
    return Object.entries(v.dict).map(([key, value]) => {
      if (key === '') this.fail(arg, 'attribute keys must not be empty');
      if (isSpecColumn(value)) return [key, this.column(`${arg}[${key}]`, value.column, null)];
      if (value === null || typeof value === 'object') {
        this.fail(`${arg}[${key}]`, `expected a column or a literal, got ${show(value)}`);
      }
      return [key, { kind: 'literal', value }];
    });
  }

  /** A dict of string keys to literal values of one kind (headers, limits). */
  literalDict<T extends 'string' | 'number'>(
    arg: string,
    kind: T,
  ): Record<string, T extends 'string' ? string : number> {
    const v = this.args[arg];
    if (v === undefined || v === null) return {};
    if (!isSpecDict(v)) this.fail(arg, `expected a dict, got ${show(v)}`);
    for (const [k, x] of Object.entries(v.dict)) {
      if (typeof x !== kind) this.fail(`${arg}[${k}]`, `expected a ${kind}, got ${show(x)}`);
    }
    return v.dict as Record<string, T extends 'string' ? string : number>;
  }

  private column(arg: string, name: string, types: readonly DataType[] | null): RowValue {
    const index = this.table.columns.findIndex((c) => c.name === name);
    if (index < 0) this.fail(arg, `the exported table has no column "${name}"`);
    const type = this.table.columns[index]!.type;
    if (types && !types.includes(type)) {
      this.fail(arg, `column "${name}" is ${type}; expected ${types.join(' or ')}`);
    }
    return { kind: 'column', name, index, type };
  }
}

/** The cell of a row value in one row. */
export function cellOf(v: RowValue, row: readonly Cell[]): Cell {
  return v.kind === 'column' ? row[v.index]! : (v.value as Cell);
}

/** Reads `spec` as a call named `name`. */
export function expectCall(spec: SpecValue, name: string, where: string): SpecCall {
  if (!isSpecCall(spec) || spec.call !== name) {
    throw new ExportSpecError(`${where}: expected ${name}(...), got ${show(spec)}`);
  }
  return spec;
}

/** The arguments by parameter name, for calls PxL knows and for positional ones it passed on. */
function namedArgs(call: SpecCall): Record<string, SpecValue> {
  const args: Record<string, SpecValue> = { ...call.args };
  const params = KNOWN_CALLS[call.call]?.params;
  if (call.posArgs && call.posArgs.length > 0) {
    if (!params) throw new ExportSpecError(`${call.call} is not an export call pxgate knows`);
    call.posArgs.forEach((v, i) => {
      if (params[i] !== undefined) args[params[i]!] = v;
    });
  }
  return args;
}

/** A spec value as PxL would write it, for messages. */
export function show(v: SpecValue | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (isSpecCall(v)) return `${v.call}(...)`;
  if (isSpecColumn(v)) return `column ${v.column}`;
  if (isSpecDict(v)) return 'a dict';
  return 'a list';
}
