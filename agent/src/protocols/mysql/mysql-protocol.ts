/** MySQL command bytes (the first byte of a command packet; mysql_events.req_cmd). */
export const Command = {
  Sleep: 0x00,
  Quit: 0x01,
  InitDb: 0x02,
  Query: 0x03,
  FieldList: 0x04,
  CreateDb: 0x05,
  DropDb: 0x06,
  Refresh: 0x07,
  Shutdown: 0x08,
  Statistics: 0x09,
  ProcessInfo: 0x0a,
  Connect: 0x0b,
  ProcessKill: 0x0c,
  Debug: 0x0d,
  Ping: 0x0e,
  Time: 0x0f,
  DelayedInsert: 0x10,
  ChangeUser: 0x11,
  BinlogDump: 0x12,
  TableDump: 0x13,
  ConnectOut: 0x14,
  RegisterSlave: 0x15,
  StmtPrepare: 0x16,
  StmtExecute: 0x17,
  StmtSendLongData: 0x18,
  StmtClose: 0x19,
  StmtReset: 0x1a,
  SetOption: 0x1b,
  StmtFetch: 0x1c,
  Daemon: 0x1d,
  BinlogDumpGtid: 0x1e,
  ResetConnection: 0x1f,
} as const;

/** Pixie's mysql_events.resp_status values (its RespStatus enum). */
export const RespStatus = { Unknown: 0, None: 1, Ok: 2, Err: 3 } as const;

const MAX_PACKET = 0xffffff;

/**
 * The payload lengths each command may have (Pixie's kMySQLCommandLengths): a command packet of
 * another length is not that command. Internal commands a client never sends have none.
 */
const COMMAND_LENGTHS: Readonly<Record<number, readonly [number, number]>> = {
  [Command.Quit]: [1, 1],
  [Command.InitDb]: [1, MAX_PACKET],
  [Command.Query]: [1, MAX_PACKET],
  [Command.FieldList]: [2, MAX_PACKET],
  [Command.CreateDb]: [1, MAX_PACKET],
  [Command.DropDb]: [1, MAX_PACKET],
  [Command.Refresh]: [2, 2],
  [Command.Shutdown]: [1, 2],
  [Command.Statistics]: [1, 1],
  [Command.ProcessInfo]: [1, 1],
  [Command.Connect]: [1, 1],
  [Command.ProcessKill]: [1, 5],
  [Command.Debug]: [1, 1],
  [Command.Ping]: [1, 1],
  [Command.ChangeUser]: [4, MAX_PACKET],
  [Command.BinlogDump]: [11, MAX_PACKET],
  [Command.TableDump]: [3, MAX_PACKET],
  [Command.RegisterSlave]: [18, MAX_PACKET],
  [Command.StmtPrepare]: [1, MAX_PACKET],
  [Command.StmtExecute]: [10, MAX_PACKET],
  [Command.StmtSendLongData]: [7, MAX_PACKET],
  [Command.StmtClose]: [5, 5],
  [Command.StmtReset]: [5, 5],
  [Command.SetOption]: [3, 3],
  [Command.StmtFetch]: [9, 9],
  [Command.BinlogDumpGtid]: [19, MAX_PACKET],
  [Command.ResetConnection]: [1, 1],
};

/** Whether a client's packet of `length` bytes starting with `command` can be that command. */
export function validCommand(command: number, length: number): boolean {
  const range = COMMAND_LENGTHS[command];
  return range !== undefined && length >= range[0] && length <= range[1];
}

/** Capability flags (handshake). */
export const CLIENT_PROTOCOL_41 = 0x200;
export const CLIENT_SSL = 0x800;
export const CLIENT_DEPRECATE_EOF = 0x1000000;

/** Server status flag: another result set follows this one. */
export const SERVER_MORE_RESULTS_EXISTS = 0x0008;

/** First bytes of generic responses. */
export const OK = 0x00;
export const EOF = 0xfe;
export const ERR = 0xff;
export const LOCAL_INFILE = 0xfb;

/** A physical packet's largest payload; one this long continues in the next packet. */
export const MAX_PACKET_PAYLOAD = MAX_PACKET;

/** Column types of the binary protocol (COM_STMT_EXECUTE parameters). */
export const ColType = {
  Decimal: 0x00,
  Tiny: 0x01,
  Short: 0x02,
  Long: 0x03,
  Float: 0x04,
  Double: 0x05,
  Null: 0x06,
  Timestamp: 0x07,
  LongLong: 0x08,
  Int24: 0x09,
  Date: 0x0a,
  Time: 0x0b,
  DateTime: 0x0c,
  Year: 0x0d,
  VarChar: 0x0f,
  Bit: 0x10,
  Json: 0xf5,
  NewDecimal: 0xf6,
  Enum: 0xf7,
  Set: 0xf8,
  TinyBlob: 0xf9,
  MediumBlob: 0xfa,
  LongBlob: 0xfb,
  Blob: 0xfc,
  VarString: 0xfd,
  String: 0xfe,
  Geometry: 0xff,
} as const;
