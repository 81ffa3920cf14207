import { Side } from '../stitcher';

/** Message tags of the PostgreSQL v3 protocol (one byte, before the length). */
export const Tag = {
  // Frontend.
  Query: 0x51, // Q
  Parse: 0x50, // P
  Bind: 0x42, // B
  Describe: 0x44, // D
  Execute: 0x45, // E
  Close: 0x43, // C
  Sync: 0x53, // S
  Flush: 0x48, // H
  Terminate: 0x58, // X
  FunctionCall: 0x46, // F
  Password: 0x70, // p
  CopyFail: 0x66, // f
  // Both.
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  // Backend.
  Authentication: 0x52, // R
  ParameterStatus: 0x53, // S
  BackendKeyData: 0x4b, // K
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
  DataRow: 0x44, // D
  CommandComplete: 0x43, // C
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  NoticeResponse: 0x4e, // N
  NotificationResponse: 0x41, // A
  ParseComplete: 0x31, // 1
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  NoData: 0x6e, // n
  ParameterDescription: 0x74, // t
  PortalSuspended: 0x73, // s
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  CopyBothResponse: 0x57, // W
  FunctionCallResponse: 0x56, // V
  NegotiateProtocolVersion: 0x76, // v
} as const;

const FRONTEND_TAGS = new Set('QPBDECSHXFpfdc'.split('').map((c) => c.charCodeAt(0)));
const BACKEND_TAGS = new Set('RSKZTDCIENA123ntsGHWdcVv'.split('').map((c) => c.charCodeAt(0)));

/** Whether `tag` starts a message that side may send. */
export function validTag(tag: number, side: Side): boolean {
  return (side === 'request' ? FRONTEND_TAGS : BACKEND_TAGS).has(tag);
}

/** Codes of the untagged messages a client sends first (after their length). */
export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** The server never accepts a startup packet longer than this (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_LENGTH = 10000;
/** The largest message the server reads or sends (MaxAllocSize, 1 GB). */
export const MAX_MESSAGE_LENGTH = 0x3fffffff;

/**
 * Pixie's pgsql_events.req_cmd of each request kind that makes a row (its Tag ToString for
 * requests). Sync, Close, Flush, Terminate, COPY data and passwords make no row, as in Pixie.
 */
export type PgsqlCommand = 'Query' | 'Parse' | 'Bind' | 'Describe' | 'Execute';

/**
 * Pixie's names of ErrorResponse fields, by field code (its ErrFieldCode enum: `ConstraitName` is
 * spelled as Pixie spells it, so that scripts matching its text match ours).
 */
export const ERROR_FIELD_NAMES: Readonly<Record<string, string>> = {
  S: 'Severity',
  V: 'InternalSeverity',
  C: 'Code',
  M: 'Message',
  D: 'Detail',
  H: 'Hint',
  P: 'Position',
  p: 'InternalPosition',
  q: 'InternalQuery',
  W: 'Where',
  s: 'SchemaName',
  t: 'TableName',
  c: 'ColumnName',
  d: 'DataTypeName',
  n: 'ConstraitName',
  F: 'File',
  L: 'Line',
  R: 'Routine',
};

/** Error fields whose text may quote values (the rest name things or places in code). */
export const VALUE_BEARING_ERROR_FIELDS = new Set(['M', 'D', 'H', 'W', 'q']);
