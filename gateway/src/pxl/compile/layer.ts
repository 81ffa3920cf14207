import { quoteIdent } from '../../store/sql';
import { DataType, SemanticType, timeColumnIndex } from '../../../../shared/contract/types';
import { valueSql } from '../functions/quantiles';
import { LookupView, SqlRepr } from '../functions/types';
import { ScriptReference } from '../check/typed';
import { viewName } from './metadata-views';
import { Params } from './params';

/** A column of a layer: its SQL over the layer's FROM, and what it holds. */
export interface LayerColumn {
  readonly name: string;
  readonly sql: string;
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly repr?: SqlRepr;
  readonly scriptReference?: ScriptReference;
}

/** Hands out the aliases of one statement: t0, t1, ... for relations, m0, m1, ... for lookups. */
export class Aliases {
  private tables = 0;
  private lookups = 0;
  table(): string {
    return quoteIdent(`t${this.tables++}`);
  }
  lookup(): string {
    return quoteIdent(`m${this.lookups++}`);
  }
}

/**
 * One SELECT being built: the operators of a plan fold into it (filters into WHERE, column
 * assignments into the select list, lookups into joins) until one needs a new layer over it,
 * such as a filter after an aggregate. Keeping one SELECT where SQL allows is what lets
 * DuckDB push filters and projections into the table scans.
 */
export class Layer {
  where: string[] = [];
  groupBy: string[] | undefined;
  /** The row order: `_seq` for table rows, the group columns after an aggregate. */
  orderBy: string[] = [];
  limit: number | undefined;
  private readonly joins: string[] = [];
  private readonly lookupAliases = new Map<string, string>();
  private nowParam: string | undefined;
  /** Columns by name, for the `columns` array it was built from (rebuilt when that changes). */
  private index = new Map<string, LayerColumn>();
  private indexed: readonly LayerColumn[] | undefined;

  /** `nesting` counts the SELECTs nested in this one's FROM (0: it reads tables only). */
  constructor(
    readonly from: string,
    public columns: LayerColumn[],
    private readonly params: Params,
    private readonly aliases: Aliases,
    private readonly now: bigint,
    readonly nesting: number,
  ) {}

  column(name: string): LayerColumn {
    if (this.indexed !== this.columns) {
      this.index = new Map();
      for (const c of this.columns) if (!this.index.has(c.name)) this.index.set(c.name, c);
      this.indexed = this.columns;
    }
    const c = this.index.get(name);
    if (!c) throw new Error(`compiler: column "${name}" is missing from its layer`);
    return c;
  }

  /** The row's time for metadata lookups: its `time_` column, when it has one. */
  private rowTime(): string | undefined {
    return this.columns[timeColumnIndex(this)]?.sql;
  }

  /** Whether the next filter or column assignment needs a new layer over this one. */
  get closed(): boolean {
    return this.groupBy !== undefined || this.limit !== undefined;
  }

  /** Joins a metadata view on a key at the row's time (once per view and key). */
  lookup(view: LookupView, keySql: string): string {
    const id = `${view}|${keySql}`;
    const known = this.lookupAliases.get(id);
    if (known) return known;
    const alias = this.aliases.lookup();
    const t = this.rowTime() ?? (this.nowParam ??= this.params.add(this.now, 'TIME64NS'));
    this.joins.push(
      `LEFT JOIN ${viewName(view)} AS ${alias} ON ${alias}."_key" = ${keySql} AND ${t} >= ${alias}."_start" AND ${t} < ${alias}."_end"`,
    );
    this.lookupAliases.set(id, alias);
    return alias;
  }

  /**
   * The SELECT text. `hidden` adds the order expressions as extra columns (for a layer read by
   * another), `asValues` renders represented columns as their values, `maxRows` caps a result.
   */
  sql(opts: { hidden?: boolean; asValues?: boolean; final?: boolean; maxRows?: number } = {}): {
    sql: string;
    hiddenOrder: string[];
  } {
    const select = this.columns.map(
      (c) => `${opts.asValues ? valueSql(c) : c.sql} AS ${quoteIdent(c.name)}`,
    );
    const hiddenOrder: string[] = [];
    if (opts.hidden) {
      this.orderBy.forEach((o, i) => {
        const shown = this.columns.find((c) => c.sql === o && !(opts.asValues && c.repr));
        if (shown) {
          hiddenOrder.push(shown.name);
          return;
        }
        const name = `_o${i}`;
        select.push(`${o} AS ${quoteIdent(name)}`);
        hiddenOrder.push(name);
      });
    }
    let sql = `SELECT ${select.join(', ')} FROM ${[this.from, ...this.joins].join(' ')}`;
    if (this.where.length > 0) sql += ` WHERE ${this.where.join(' AND ')}`;
    if (this.groupBy && this.groupBy.length > 0) sql += ` GROUP BY ${this.groupBy.join(', ')}`;
    const limit =
      opts.maxRows === undefined ? this.limit : Math.min(this.limit ?? Infinity, opts.maxRows + 1);
    const ordered = opts.final || limit !== undefined;
    if (ordered && this.orderBy.length > 0) sql += ` ORDER BY ${this.orderBy.join(', ')}`;
    // The limit is written as an integer: DuckDB plans a top-N only for a constant LIMIT, and
    // the number is one the checker bounded (head's n or the row cap), never script text.
    if (limit !== undefined) sql += ` LIMIT ${Math.trunc(limit)}`;
    return { sql, hiddenOrder };
  }
}
