/** Quotes an SQL identifier for DuckDB. Every identifier pxgate writes into SQL passes here. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}
