import { BoundedText } from '../sql/bounded-text';
import { dataRowText } from './pgsql-decode';

/**
 * The text of a query's results as Pixie writes pgsql_events.resp: the column names, the rows
 * (values joined by ','), each on its own line, then the command tag (`SELECT 2`); or the error.
 * A query string of several statements gives one such block per statement, on separate lines.
 * Text past the limit is not built: rows beyond it are read for their count only.
 */
export class ResultText {
  private readonly done: BoundedText;
  private segment: BoundedText | undefined;
  private names: readonly string[] = [];
  private rows = 0;
  private statements = 0;

  /** `masked`: what each non-NULL value is written as, when values are masked. */
  constructor(
    private readonly maxChars: number,
    private readonly masked: string | undefined,
  ) {
    this.done = new BoundedText(maxChars);
  }

  rowDescription(names: readonly string[]): void {
    this.begin();
    this.names = names;
  }

  dataRow(payload: Uint8Array, truncated: boolean): void {
    const seg = this.begin();
    if (!seg.full()) {
      if (this.rows === 0 && this.names.length > 0) seg.append(`${this.names.join(',')}\n`);
      if (this.rows > 0) seg.append('\n');
      seg.append(dataRowText(payload, truncated, this.masked));
    }
    this.rows++;
  }

  /** CommandComplete's tag (or '' for EmptyQueryResponse and PortalSuspended) ends a statement. */
  complete(tag: string): void {
    const seg = this.begin();
    if (this.rows > 0) seg.append('\n');
    seg.append(tag);
    this.end();
  }

  /** An ErrorResponse ends the statement; its text replaces the statement's rows. */
  error(text: string): void {
    this.begin();
    this.segment = new BoundedText(this.maxChars);
    this.segment.append(text);
    this.end();
  }

  toString(): string {
    this.end();
    return this.done.toString();
  }

  private begin(): BoundedText {
    if (!this.segment) {
      this.segment = new BoundedText(this.maxChars);
      this.names = [];
      this.rows = 0;
    }
    return this.segment;
  }

  private end(): void {
    if (!this.segment) return;
    if (this.statements > 0) this.done.append('\n');
    this.done.append(this.segment.toString());
    this.statements++;
    this.segment = undefined;
  }
}
