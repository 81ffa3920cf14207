import { sqlTypeName } from '../../store/sql';
import { DataType } from '../../../../shared/contract/types';

/** A quoted identifier or string literal (matched to be skipped), or a parameter's reference. */
const QUOTED_OR_PARAM = /"(?:[^"]|"")*"|'(?:[^']|'')*'|CAST\(\$(\d+) AS /g;

/** A bound parameter's value. */
export type ParamValue = boolean | bigint | number | string;

/**
 * The parameters of one statement. Every value a script supplies is bound here, never written
 * into SQL text; each is referenced by number and cast to its PxL type's SQL type.
 */
export class Params {
  readonly values: ParamValue[] = [];

  /** `CAST($n AS type)` for a new parameter. */
  add(value: ParamValue, type: DataType): string {
    const v = type === 'FLOAT64' && typeof value === 'bigint' ? Number(value) : value;
    this.values.push(v);
    return `CAST($${this.values.length} AS ${sqlTypeName(type)})`;
  }

  /**
   * The statement with its parameters renumbered to those it still uses: expressions compiled
   * for columns that a later projection dropped leave parameters behind, and DuckDB refuses
   * parameters a statement does not reference.
   */
  finish(sql: string): { sql: string; values: ParamValue[] } {
    const renumber = new Map<number, number>();
    const values: ParamValue[] = [];
    // Quoted identifiers and literals are passed over whole: a column a script names
    // `CAST($9 AS x` is a name, not a parameter.
    const out = sql.replace(QUOTED_OR_PARAM, (m, n: string | undefined) => {
      if (n === undefined) return m;
      const old = Number(n);
      let now = renumber.get(old);
      if (now === undefined) {
        values.push(this.values[old - 1]!);
        now = values.length;
        renumber.set(old, now);
      }
      return `CAST($${now} AS `;
    });
    return { sql: out, values };
  }
}
