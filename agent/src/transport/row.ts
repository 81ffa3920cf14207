import { Uint128 } from '../../../shared/contract/uint128';

/**
 * Text for a STRING column that writes its UTF-8 bytes straight into the column's buffer, so
 * that it never becomes a JS string (`toString` gives that string, for tests and logs).
 */
export interface Utf8Text {
  /** The most bytes `writeUtf8` may write. */
  maxUtf8Bytes(): number;
  /** Writes the text's UTF-8 bytes at `at`; returns how many it wrote. */
  writeUtf8(into: Buffer, at: number): number;
  toString(): string;
}

/** What one cell of a row may hold, by the column's type. */
export type CellValue = bigint | number | string | boolean | Uint128 | Utf8Text;

/** One row of a table, by column name. Columns left out take their type's zero value. */
export type Row = Readonly<Record<string, CellValue>>;
