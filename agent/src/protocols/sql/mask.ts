import { SqlDialect, scanSql } from '../../../../shared/common/sql/sql-fragments';

/**
 * What a masked constant becomes: a string literal, so that masked text is still SQL of the same
 * shape (px.normalize_pgsql/normalize_mysql group it with the unmasked statement and find one
 * parameter where the value was), and a reader sees at once that it was masked.
 */
export const MASKED_LITERAL = "'?'";
/** What a masked bound parameter or result value becomes. */
export const MASKED_VALUE = '?';

/**
 * The statement with every constant (number, string, boolean, bit or hex literal) masked, and
 * placeholders kept. Text that stops inside a string or comment (a statement cut short by the
 * capture) is masked from there to its end: whatever follows an open quote may be a value.
 */
export function maskSqlLiterals(sql: string, dialect: SqlDialect): string {
  const scan = scanSql(sql, dialect);
  const pieces: string[] = [];
  let from = 0;
  // A mask right after a name would read as a prefixed string (b'?'): a space keeps them apart.
  const mask = (at: number) =>
    /[\w$]/.test(sql[at - 1] ?? '') ? ` ${MASKED_LITERAL}` : MASKED_LITERAL;
  for (const f of scan.fragments) {
    if (f.kind !== 'constant') continue;
    pieces.push(sql.slice(from, f.start), mask(f.start));
    from = f.end;
  }
  const end = scan.error ? scan.error.at : sql.length;
  pieces.push(sql.slice(from, end));
  if (scan.error) pieces.push(mask(end));
  return pieces.join('');
}

/**
 * A server's message with the values it quotes masked: 'single-quoted' text (MySQL's
 * "Duplicate entry 'x' for key 'k'") and PostgreSQL's `(column)=(value)` details. Identifiers
 * in double quotes stay: they name tables and columns, not data.
 */
export function maskMessageValues(text: string): string {
  return text.replace(/'(?:[^'\\]|\\.|'')*'?/g, MASKED_LITERAL).replace(/\)=\([^)]*\)?/g, ')=(?)');
}
