import { ByteStream, Chunk } from '../http/byte-stream';
import { SqlProtocolError, decodeText } from '../sql/binary-reader';
import { clip } from '../sql/bounded-text';
import { HeldMessages } from '../sql/held-messages';
import { MASKED_VALUE, maskMessageValues, maskSqlLiterals } from '../sql/mask';
import { executeText } from '../../../../shared/common/sql/normalize';
import { TimedRecord } from '../sql/sql-endpoint';
import { BoundedMap, DEFAULT_SQL_LIMITS, SqlLimits } from '../sql/sql-limits';
import { Side, Stitcher } from '../stitcher';
import {
  executeParams,
  firstByte,
  greetingCapabilities,
  handshakeResponseCapabilities,
  isErr,
  isOk,
} from './mysql-decode';
import { MyPacket, MyPacketReader } from './mysql-packets';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_SSL,
  Command,
  RespStatus,
  validCommand,
} from './mysql-protocol';
import { Outcome, ResponseKind, ResponseReader } from './mysql-response';

/** A command and its response as Pixie's mysql_events reports them. */
export interface MysqlRecord extends TimedRecord {
  /** The command byte (COM_QUERY is 3). */
  readonly reqCmd: number;
  readonly reqBody: string;
  /** Pixie's RespStatus: 0 unknown, 1 none (no response), 2 OK, 3 ERR. */
  readonly respStatus: number;
  readonly respBody: string;
}

/** A command waiting for its response. */
interface PendingCommand {
  readonly cmd: number;
  readonly startTs: number;
  /** The command packet's captured bytes (a copy, at most the message limit). */
  readonly payload: Uint8Array;
  /** The sequence id the response's next packet must have. */
  nextSeq: number;
  /** Time of the last response packet taken so far. */
  lastTs: number;
  reader?: ResponseReader;
}

/** A prepared statement: its text, its parameter count, and the parameter types bound last. */
interface Statement {
  readonly query: string;
  readonly params: number;
  types?: readonly number[];
}

/** Commands that Pixie records with the text after the command byte as req_body. */
const STRING_COMMANDS = new Set<number>([
  Command.Query,
  Command.StmtPrepare,
  Command.InitDb,
  Command.CreateDb,
  Command.DropDb,
]);
/** Commands the server does not answer. */
const UNANSWERED = new Set<number>([Command.StmtClose, Command.StmtSendLongData, Command.Quit]);
/** Commands whose responses are followed but make no record, as in Pixie. */
const UNRECORDED: Readonly<Record<number, ResponseKind>> = {
  [Command.FieldList]: 'fields',
  [Command.Statistics]: 'one',
  [Command.ChangeUser]: 'auth',
  [Command.ProcessInfo]: 'result',
  [Command.StmtFetch]: 'result',
};
/** Replication streams: after them the connection is not a command conversation any more. */
const STREAMS = new Set<number>([Command.BinlogDump, Command.BinlogDumpGtid, Command.TableDump]);
/** The statement id MariaDB clients use for "the statement prepared last". */
const LAST_PREPARED = 0xffffffff;

/**
 * One MySQL or MariaDB connection: reassembles both directions, follows the handshake (for the
 * capability flags, and to see an SSL switch), pairs each command with its response in order, and
 * reports Pixie's mysql_events records. Prepared statements are followed per connection, so that
 * COM_STMT_EXECUTE shows the statement and its parameters as Pixie does.
 */
export class MysqlStitcher implements Stitcher<MysqlRecord> {
  private readonly reqStream: ByteStream;
  private readonly respStream: ByteStream;
  private readonly reqReader: MyPacketReader;
  private readonly respReader: MyPacketReader;
  private readonly pending: PendingCommand[] = [];
  private readonly held: HeldMessages<MyPacket>;
  private readonly statements: BoundedMap<number, Statement>;
  private lastPrepared = -1;
  private serverCaps: number | undefined;
  private clientCaps: number | undefined;
  /** Between the server's greeting (or the client's handshake response) and the end of authentication. */
  private handshake = false;
  private isOpaque = false;
  private closed = false;
  /** Response bytes were lost and the next packet has not come yet. */
  private afterGap = false;
  private unmatched = 0;

  constructor(private readonly limits: SqlLimits = DEFAULT_SQL_LIMITS) {
    this.reqStream = new ByteStream(limits.maxBufferBytes);
    this.respStream = new ByteStream(limits.maxBufferBytes);
    this.reqReader = new MyPacketReader('request', limits.maxMessageBytes);
    this.respReader = new MyPacketReader('response', limits.maxMessageBytes);
    this.statements = new BoundedMap(limits.maxStatements);
    this.held = new HeldMessages(limits.maxPendingRequests, limits.maxBufferBytes);
  }

  push(side: Side, chunk: Chunk): MysqlRecord[] {
    if (this.isOpaque || this.closed) return [];
    const stream = side === 'request' ? this.reqStream : this.respStream;
    stream.push(chunk);
    const out = this.drain(false);
    stream.keepLastPushed();
    return out;
  }

  close(): MysqlRecord[] {
    if (this.closed) return [];
    const out = this.isOpaque ? [] : this.drain(true);
    this.closed = true;
    const head = this.pending[0];
    const last = head?.reader?.end();
    if (head && last) {
      this.pending.shift();
      this.emit(out, head, last, head.lastTs);
    }
    this.unmatched += this.pending.length + this.held.clear();
    this.pending.length = 0;
    return out;
  }

  errors(): number {
    return this.reqReader.errors + this.respReader.errors + this.held.dropped + this.unmatched;
  }

  /** Whether the connection switched to TLS (or a replication stream): nothing more is parsed. */
  opaque(): boolean {
    return this.isOpaque;
  }

  pendingRequests(): number {
    return this.pending.length;
  }

  private drain(closing: boolean): MysqlRecord[] {
    for (let p = this.reqReader.next(this.reqStream, closing); p && !this.isOpaque;) {
      this.request(p);
      p = this.reqReader.next(this.reqStream, closing);
    }
    const out: MysqlRecord[] = [];
    this.unanswered(out);
    for (;;) {
      const p = this.isOpaque ? undefined : this.respReader.next(this.respStream, closing);
      if (this.respReader.resynced) this.lostResponses();
      if (!p) break;
      if (this.afterGap) this.resumeAfterGap(p.startTs);
      this.held.push(p);
      this.answer(out);
    }
    this.held.keep();
    return out;
  }

  private request(p: MyPacket): void {
    if (p.seq !== 0) {
      // The handshake response (sequence 1), authentication data, LOCAL INFILE contents.
      const caps =
        p.seq === 1 && this.pending.length === 0
          ? handshakeResponseCapabilities(p.payload, p.length)
          : undefined;
      if (caps === undefined) return;
      this.clientCaps = caps;
      this.handshake = true;
      // An SSLRequest is the handshake response cut after its 32 bytes: TLS starts next.
      if (caps & CLIENT_SSL && p.length === 32) this.isOpaque = true;
      return;
    }
    this.handshake = false;
    const cmd = firstByte(p.payload);
    if (!validCommand(cmd, p.length)) {
      this.unmatched++;
      return;
    }
    if (STREAMS.has(cmd)) {
      this.isOpaque = true;
      return;
    }
    this.pending.push({
      cmd,
      startTs: p.startTs,
      // A copy, of what the record can use: an execute's parameters, or a statement's text.
      payload: p.payload.slice(
        0,
        cmd === Command.StmtExecute ? undefined : 1 + 4 * this.limits.maxTextChars,
      ),
      nextSeq: (p.lastSeq + 1) & 0xff,
      lastTs: p.endTs,
    });
    if (this.pending.length > this.limits.maxPendingRequests) {
      this.pending.shift();
      this.unmatched++;
    }
  }

  /** Answers held response packets to pending commands, in order, as far as both go. */
  private answer(out: MysqlRecord[]): void {
    while (this.held.size() > 0) {
      this.unanswered(out);
      const p = this.held.first()!;
      const head = this.pending[0];
      if (!head) {
        if (!this.handshakePacket(p)) return;
        this.held.shift();
        continue;
      }
      const outOfSequence = p.seq !== head.nextSeq && !head.reader?.anySequence();
      if (outOfSequence || (!head.reader && p.startTs < head.startTs)) {
        // Not this response's packet: a response's broken off, or an answer to a command we did not see.
        this.unmatched++;
        if (head.reader) this.pending.shift();
        if (!head.reader || p.seq !== 1) this.held.shift();
        continue;
      }
      head.reader ??= new ResponseReader(responseKind(head.cmd), this.deprecateEof());
      const step = head.reader.step(p);
      if (step === 'more') {
        head.nextSeq = (p.lastSeq + 1) & 0xff;
        head.lastTs = p.endTs;
        this.held.shift();
        continue;
      }
      this.pending.shift();
      if (step === 'bad') {
        this.unmatched++;
        this.held.shift();
        continue;
      }
      if (step === 'done') {
        this.emit(out, head, head.reader.end() ?? 'silent', head.lastTs);
        continue;
      }
      this.held.shift();
      this.emit(out, head, step, p.endTs);
    }
    this.unanswered(out);
  }

  /** Commands the server does not answer make their records as soon as they are next in line. */
  private unanswered(out: MysqlRecord[]): void {
    while (this.pending[0] && UNANSWERED.has(this.pending[0].cmd)) {
      const head = this.pending.shift()!;
      if (head.cmd === Command.StmtClose)
        this.statements.delete(statementId(head.payload, this.lastPrepared));
      this.emit(out, head, { status: RespStatus.None, body: '' }, head.startTs);
    }
  }

  /**
   * A packet that answers no command: the server's greeting, or the handshake's authentication
   * exchange up to its final OK or ERR. Returns false when it is neither.
   */
  private handshakePacket(p: MyPacket): boolean {
    if (p.seq === 0) {
      const caps = greetingCapabilities(p.payload);
      if (caps === undefined) return false;
      this.serverCaps = caps;
      this.handshake = true;
      return true;
    }
    if (!this.handshake) return false;
    if (p.seq >= 2 && (isOk(p.payload, p.length) || isErr(p.payload, p.length)))
      this.handshake = false;
    return true;
  }

  /** CLIENT_DEPRECATE_EOF when both sides said so; undefined when the handshake was not seen. */
  private deprecateEof(): boolean | undefined {
    const caps = this.clientCaps ?? this.serverCaps;
    if (caps === undefined) return undefined;
    return ((this.clientCaps ?? caps) & (this.serverCaps ?? caps) & CLIENT_DEPRECATE_EOF) !== 0;
  }

  private emit(out: MysqlRecord[], head: PendingCommand, outcome: Outcome, endTs: number): void {
    if (outcome === 'silent' || UNRECORDED[head.cmd] !== undefined) return;
    const reqBody = this.requestBody(head);
    if (outcome.prepared) {
      this.statements.set(outcome.prepared.statementId, {
        query: clip(decodeText(head.payload.subarray(1)), this.limits.maxTextChars),
        params: outcome.prepared.params,
      });
      this.lastPrepared = outcome.prepared.statementId;
    }
    const mask = this.limits.maskLiterals;
    out.push({
      reqCmd: head.cmd,
      reqBody: clip(reqBody, this.limits.maxTextChars),
      respStatus: outcome.status,
      respBody: clip(
        mask && outcome.status === RespStatus.Err ? maskMessageValues(outcome.body) : outcome.body,
        this.limits.maxTextChars,
      ),
      startTs: head.startTs,
      endTs,
    });
  }

  /** Pixie's req_body: a string command's text, an execute's statement and parameters, or ''. */
  private requestBody(head: PendingCommand): string {
    if (STRING_COMMANDS.has(head.cmd)) {
      const text = clip(decodeText(head.payload.subarray(1)), this.limits.maxTextChars);
      const sql = head.cmd === Command.Query || head.cmd === Command.StmtPrepare;
      return this.limits.maskLiterals && sql ? maskSqlLiterals(text, 'mysql') : text;
    }
    if (head.cmd !== Command.StmtExecute) return '';
    const id = statementId(head.payload, this.lastPrepared);
    const stmt = this.statements.get(id);
    if (!stmt) return `Execute stmt_id=${id}.`;
    let params: string[] = [];
    try {
      const decoded = executeParams(head.payload, stmt.params, stmt.types);
      stmt.types = decoded.types;
      params = decoded.values;
    } catch (err) {
      if (!(err instanceof SqlProtocolError)) throw err;
      this.unmatched++;
    }
    const mask = this.limits.maskLiterals;
    const query = mask ? maskSqlLiterals(stmt.query, 'mysql') : stmt.query;
    return executeText(query, mask ? params.map(() => MASKED_VALUE) : params);
  }

  /** Response bytes were lost: what was held before them can no longer be answered in order. */
  private lostResponses(): void {
    this.respReader.resynced = false;
    this.unmatched += this.held.clear();
    this.afterGap = true;
  }

  /**
   * The first packet after lost response bytes (sent at `ts`) answers, as in HTTP, the latest
   * command sent before it; the commands before that one lost their answers. (A response the
   * gap cut in two fails its sequence check and is dropped too.)
   */
  private resumeAfterGap(ts: number): void {
    this.afterGap = false;
    let keep = 0;
    while (keep + 1 < this.pending.length && this.pending[keep + 1]!.startTs <= ts) keep++;
    this.unmatched += keep;
    this.pending.splice(0, keep);
  }
}

/** The shape of the response a command gets. */
function responseKind(cmd: number): ResponseKind {
  const unrecorded = UNRECORDED[cmd];
  if (unrecorded) return unrecorded;
  if (cmd === Command.Query || cmd === Command.StmtExecute) return 'result';
  return cmd === Command.StmtPrepare ? 'prepare' : 'basic';
}

/** The statement a COM_STMT_EXECUTE or COM_STMT_CLOSE names (0xffffffff: the last prepared). */
function statementId(payload: Uint8Array, lastPrepared: number): number {
  if (payload.length < 5) return -1;
  const id = (payload[1]! | (payload[2]! << 8) | (payload[3]! << 16)) + payload[4]! * 0x1000000;
  return id === LAST_PREPARED ? lastPrepared : id;
}
