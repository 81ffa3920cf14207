import { DataType } from '../../store/types';

/** The DuckDB type of each PxL type as stored. */
export const SQL_TYPES: Readonly<Record<DataType, string>> = {
  BOOLEAN: 'BOOLEAN',
  INT64: 'BIGINT',
  TIME64NS: 'BIGINT',
  FLOAT64: 'DOUBLE',
  STRING: 'VARCHAR',
  UINT128: 'UHUGEINT',
};

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
    return `CAST($${this.values.length} AS ${SQL_TYPES[type]})`;
  }
}
