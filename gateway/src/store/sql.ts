import { DataType } from '../../../shared/contract/types';

/** Quotes an SQL identifier for DuckDB. Every identifier pxgate writes into SQL passes here. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

/** The DuckDB type names a column is stored as. */
export type SqlTypeName = 'BOOLEAN' | 'BIGINT' | 'UHUGEINT' | 'DOUBLE' | 'VARCHAR';

/**
 * The DuckDB type a column of `type` is stored as, by name. The compiler casts parameters with
 * it without loading the DuckDB binding (a compile worker does not need one).
 */
export function sqlTypeName(type: DataType): SqlTypeName {
  switch (type) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'INT64':
    case 'TIME64NS':
      return 'BIGINT';
    case 'UINT128':
      return 'UHUGEINT';
    case 'FLOAT64':
      return 'DOUBLE';
    case 'STRING':
      return 'VARCHAR';
  }
}
