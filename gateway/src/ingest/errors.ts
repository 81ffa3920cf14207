import { UserError } from '../common/errors';

/** A batch that cannot be stored. The message names the table, row and column at fault. */
export class IngestError extends UserError {
  constructor(message: string, status = 400) {
    super(message, status);
    this.name = 'IngestError';
  }

  static at(
    table: string,
    row: number | undefined,
    column: string | undefined,
    problem: string,
  ): IngestError {
    const where = [`table "${table}"`];
    if (row !== undefined) where.push(`row ${row}`);
    if (column !== undefined) where.push(`column "${column}"`);
    return new IngestError(`${where.join(', ')}: ${problem}`);
  }
}

/** Describes a received value for an error message, shortened. */
export function describeValue(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
