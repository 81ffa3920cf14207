import { UserError, UserErrorKind } from '../common/errors';

/**
 * Why a batch was refused, the `reason` label of `pxgate_ingest_rejected_batches_total`:
 * `malformed` bytes that are not a well-formed JSON or Arrow message (lying lengths, offsets,
 * indices, invalid UTF-8), `invalid` values that do not fit the table, `unsupported` encodings
 * and formats the gateway does not take, `too_large` bodies and batches over a limit,
 * `unauthorized` and `forbidden` requests without a token or with one of another scope.
 */
export type RejectReason =
  'malformed' | 'invalid' | 'unsupported' | 'too_large' | 'unauthorized' | 'forbidden';

/** A batch that cannot be stored. The message names the table, row and column at fault. */
export class IngestError extends UserError {
  constructor(
    message: string,
    readonly reason: RejectReason = 'invalid',
  ) {
    super(message, kindOf(reason));
    this.name = 'IngestError';
  }

  static at(
    table: string,
    row: number | undefined,
    column: string | undefined,
    problem: string,
    reason: RejectReason = 'invalid',
  ): IngestError {
    const where = [`table ${describeValue(table)}`];
    if (row !== undefined) where.push(`row ${row}`);
    if (column !== undefined) where.push(`column ${describeValue(column)}`);
    return new IngestError(`${where.join(', ')}: ${problem}`, reason);
  }
}

function kindOf(reason: RejectReason): UserErrorKind {
  switch (reason) {
    case 'unsupported':
      return 'unsupported-media-type';
    case 'too_large':
      return 'too-large';
    case 'unauthorized':
    case 'forbidden':
      return reason;
    default:
      return 'invalid';
  }
}

/** The reason a caller's error of this kind is counted under, when it is not an IngestError. */
export function reasonOf(kind: UserErrorKind): RejectReason {
  switch (kind) {
    case 'too-large':
      return 'too_large';
    case 'unsupported-media-type':
      return 'unsupported';
    case 'unauthorized':
    case 'forbidden':
      return kind;
    default:
      return 'invalid';
  }
}

const PREVIEW_CHARS = 60;
const PREVIEW_DEPTH = 3;
const PREVIEW_ITEMS = 4;

/**
 * Describes a received value for an error message, shortened. It looks at a bounded part of the
 * value only (a few levels, a few items), so that no value, however deep or long, costs more.
 */
export function describeValue(value: unknown): string {
  const text = preview(value, 0);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 3)}...` : text;
}

function preview(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, PREVIEW_CHARS));
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (depth >= PREVIEW_DEPTH) return value.length ? '[...]' : '[]';
    const items = value.slice(0, PREVIEW_ITEMS).map((v) => preview(v, depth + 1));
    return `[${items.join(',')}${value.length > PREVIEW_ITEMS ? ',...' : ''}]`;
  }
  const entries: string[] = [];
  let truncated = false;
  for (const key in value) {
    if (depth >= PREVIEW_DEPTH || entries.length === PREVIEW_ITEMS) {
      truncated = true;
      break;
    }
    const item = preview((value as Record<string, unknown>)[key], depth + 1);
    entries.push(`${JSON.stringify(key.slice(0, PREVIEW_CHARS))}:${item}`);
  }
  return `{${entries.join(',')}${truncated ? (entries.length ? ',...' : '...') : ''}}`;
}
