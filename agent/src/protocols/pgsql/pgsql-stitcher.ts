import { ByteStream, Chunk } from '../http/byte-stream';
import { SqlProtocolError } from '../sql/binary-reader';
import { clip } from '../sql/bounded-text';
import { HeldMessages } from '../sql/held-messages';
import { MASKED_VALUE, maskSqlLiterals } from '../sql/mask';
import { executeText } from '../../../../shared/common/sql/normalize';
import { TimedRecord } from '../sql/sql-endpoint';
import { BoundedMap, DEFAULT_SQL_LIMITS, SqlLimits } from '../sql/sql-limits';
import { Side, Stitcher } from '../stitcher';
import { PgParam, decodeCommandTag, decodeErrorFields, decodeRowDescription } from './pgsql-decode';
import { PgMessage, PgMessageReader } from './pgsql-messages';
import { PgsqlCommand, Tag } from './pgsql-protocol';
import { bindText, describeText, errorText, rowDescriptionText } from './pgsql-render';
import { Pending, pendingRequest } from './pgsql-requests';
import { ResultText } from './result-text';

/** A request and its response as Pixie's pgsql_events reports them. */
export interface PgsqlRecord extends TimedRecord {
  readonly reqCmd: PgsqlCommand;
  readonly req: string;
  readonly resp: string;
}

/** What a bound portal executes. */
interface Portal {
  readonly query: string;
  readonly params: readonly PgParam[];
}

/** Server messages that answer no request: they come whenever the server has news. */
const ASYNC_TAGS = new Set<number>([
  Tag.NoticeResponse,
  Tag.NotificationResponse,
  Tag.ParameterStatus,
  Tag.NegotiateProtocolVersion,
]);

const EXTENDED = new Set(['parse', 'bind', 'describe', 'execute', 'close']);

/**
 * One PostgreSQL connection (protocol v3): reassembles both directions, pairs each request with
 * its response in order, and reports Pixie's pgsql_events records for Query, Parse, Bind,
 * Describe and Execute. Extended-query state is followed per connection (statements by name,
 * portals by name) so that an Execute shows the query and parameters it ran; a request the
 * server skipped after an error (until Sync) makes no record. An accepted SSLRequest makes the
 * connection opaque (`opaque()`), and nothing more is parsed.
 */
export class PgsqlStitcher implements Stitcher<PgsqlRecord> {
  private readonly reqStream: ByteStream;
  private readonly respStream: ByteStream;
  private readonly reqReader: PgMessageReader;
  private readonly respReader: PgMessageReader;
  private readonly pending: Pending[] = [];
  /** Response messages not yet answered to a request (the request may not have arrived yet). */
  private readonly held: HeldMessages<PgMessage>;
  private readonly statements: BoundedMap<string, string>;
  private readonly portals: BoundedMap<string, Portal>;
  /** After an error in an extended query the server ignores requests until Sync. */
  private discardUntilSync = false;
  /** Response bytes were lost and the next message has not come yet. */
  private afterGap = false;
  private isOpaque = false;
  private closed = false;
  /** Requests dropped unanswered, responses without a request, messages we could not decode. */
  private unmatched = 0;

  constructor(private readonly limits: SqlLimits = DEFAULT_SQL_LIMITS) {
    this.reqStream = new ByteStream(limits.maxBufferBytes);
    this.respStream = new ByteStream(limits.maxBufferBytes);
    this.reqReader = new PgMessageReader('request', limits.maxMessageBytes);
    this.respReader = new PgMessageReader('response', limits.maxMessageBytes);
    this.statements = new BoundedMap(limits.maxStatements);
    this.portals = new BoundedMap(limits.maxStatements);
    this.held = new HeldMessages(limits.maxPendingRequests, limits.maxBufferBytes);
  }

  /** Adds a chunk of what the client sent ('request') or the server sent ('response'). */
  push(side: Side, chunk: Chunk): PgsqlRecord[] {
    if (this.isOpaque || this.closed) return [];
    const stream = side === 'request' ? this.reqStream : this.respStream;
    stream.push(chunk);
    const out = this.drain();
    stream.keepLastPushed();
    return out;
  }

  /** The connection closed: completes what it can and counts what stays unanswered. */
  close(): PgsqlRecord[] {
    if (this.closed) return [];
    const out = this.isOpaque ? [] : this.drain(true);
    this.closed = true;
    this.unmatched += this.pending.filter((p) => p.kind !== 'sync').length + this.held.clear();
    this.pending.length = 0;
    return out;
  }

  errors(): number {
    return this.reqReader.errors + this.respReader.errors + this.held.dropped + this.unmatched;
  }

  /** Whether the connection switched to TLS after an SSLRequest (its bytes are opaque here). */
  opaque(): boolean {
    return this.isOpaque;
  }

  /** Requests waiting for a response (for idle expiry). */
  pendingRequests(): number {
    return this.pending.length;
  }

  private drain(closing = false): PgsqlRecord[] {
    for (let m = this.reqReader.next(this.reqStream, closing); m;) {
      this.request(m);
      m = this.reqReader.next(this.reqStream, closing);
    }
    const out: PgsqlRecord[] = [];
    for (;;) {
      const m = this.respReader.next(this.respStream, closing);
      if (this.respReader.resynced) this.lostResponses();
      if (!m) break;
      if (this.afterGap) this.resumeAfterGap(m.startTs);
      this.held.push(m);
      this.answer(out);
      if (this.isOpaque) return out;
    }
    this.answer(out);
    this.held.keep();
    return out;
  }

  /** Queues a request for its response, or applies what it changes. */
  private request(m: PgMessage): void {
    const { pending, broken } = pendingRequest(m, this.limits.maxTextChars);
    if (broken) this.unmatched++;
    if (!pending) return;
    if (pending.kind === 'sync') this.discardUntilSync = false;
    else if (this.discardUntilSync && !m.untagged) return;
    if (pending.kind === 'ssl') this.respReader.expectSslAnswer = true;
    this.queue(pending);
  }

  private queue(p: Pending): void {
    this.pending.push(p);
    if (this.pending.length > this.limits.maxPendingRequests) {
      this.pending.shift();
      this.unmatched++;
    }
  }

  /** Answers held response messages to pending requests, in order, as far as both go. */
  private answer(out: PgsqlRecord[]): void {
    while (this.held.size() > 0 && !this.isOpaque) {
      const m = this.held.first()!;
      if (!m.untagged && ASYNC_TAGS.has(m.tag)) {
        this.held.shift();
        continue;
      }
      const head = this.pending[0];
      if (!head) {
        // Authentication and key data answer a startup we did not see: nothing to wait for.
        if (m.tag !== Tag.Authentication && m.tag !== Tag.BackendKeyData) return;
        this.held.shift();
        continue;
      }
      this.held.shift();
      if (m.startTs < head.startTs) {
        // Sent before the request it would answer: the answer to a request we did not see.
        this.unmatched++;
        continue;
      }
      this.answerHead(head, m, out);
    }
  }

  private answerHead(head: Pending, m: PgMessage, out: PgsqlRecord[]): void {
    const tag = m.tag;
    switch (head.kind) {
      case 'ssl':
        this.pending.shift();
        this.isOpaque = m.untagged && (tag === 0x53 || tag === 0x47);
        return;
      case 'startup':
        if (tag === Tag.ReadyForQuery || tag === Tag.ErrorResponse) this.pending.shift();
        else if (tag !== Tag.Authentication && tag !== Tag.BackendKeyData) this.unexpected(m);
        return;
      case 'sync':
      case 'function':
        if (tag === Tag.ReadyForQuery) this.pending.shift();
        else if (tag !== Tag.FunctionCallResponse && tag !== Tag.ErrorResponse) this.unexpected(m);
        return;
      case 'query':
        head.resp ??= this.resultText();
        if (tag === Tag.ReadyForQuery)
          return this.finish(out, head, 'Query', this.sqlText(head.query), head.resp.toString(), m);
        if (!this.result(head.resp, m) && !isCopyTag(tag)) this.unexpected(m);
        return;
      case 'execute':
        return this.execute(head, m, out);
      case 'parse':
        if (tag === Tag.ParseComplete && head.msg) {
          this.statements.set(head.msg.statement, clip(head.msg.query, this.limits.maxTextChars));
          return this.finish(out, head, 'Parse', this.sqlText(head.msg.query), 'PARSE COMPLETE', m);
        }
        return this.simpleAnswer(head, m, out, Tag.ParseComplete, 'Parse', () =>
          this.sqlText(head.msg!.query),
        );
      case 'bind':
        if (tag === Tag.BindComplete && head.msg) {
          const query = this.statements.get(head.msg.statement) ?? '';
          this.portals.set(head.msg.portal, { query, params: head.msg.params });
          return this.finish(
            out,
            head,
            'Bind',
            bindText(head.msg, this.limits.maskLiterals),
            'BIND COMPLETE',
            m,
          );
        }
        return this.simpleAnswer(head, m, out, Tag.BindComplete, 'Bind', () =>
          bindText(head.msg!, this.limits.maskLiterals),
        );
      case 'describe':
        if (tag === Tag.ParameterDescription) return;
        if (tag === Tag.RowDescription || tag === Tag.NoData) {
          if (!head.msg) return void this.pending.shift();
          const fields =
            tag === Tag.NoData ? [] : (this.decoded(() => decodeRowDescription(m.payload)) ?? []);
          const resp = rowDescriptionText(fields);
          return this.finish(out, head, 'Describe', describeText(head.msg), resp, m);
        }
        return this.simpleAnswer(head, m, out, Tag.NoData, 'Describe', () =>
          describeText(head.msg!),
        );
      case 'close':
        if (tag === Tag.CloseComplete) {
          this.pending.shift();
          if (head.target?.type === 0x53) this.statements.delete(head.target.name);
          if (head.target?.type === 0x50) this.portals.delete(head.target.name);
          return;
        }
        return this.simpleAnswer(head, m, out, Tag.CloseComplete, undefined, () => '');
    }
  }

  /** Execute's answer: rows and a tag, or an error; its query comes from the portal it ran. */
  private execute(head: Pending & { kind: 'execute' }, m: PgMessage, out: PgsqlRecord[]): void {
    if (head.req === undefined) {
      const portal = head.portal === undefined ? undefined : this.portals.get(head.portal);
      const params = (portal?.params ?? []).map((p) =>
        p.value === null ? '[NULL]' : this.limits.maskLiterals ? MASKED_VALUE : p.value,
      );
      head.req = executeText(this.sqlText(portal?.query ?? ''), params);
    }
    const resp = (head.resp ??= this.resultText());
    const tag = m.tag;
    if (tag === Tag.DataRow) {
      this.decoded(() => resp.dataRow(m.payload, m.truncated));
      return;
    }
    if (tag === Tag.ErrorResponse) {
      resp.error(this.errorOf(m));
      this.finish(out, head, 'Execute', head.req, resp.toString(), m);
      return this.discardRest();
    }
    if (
      tag === Tag.CommandComplete ||
      tag === Tag.EmptyQueryResponse ||
      tag === Tag.PortalSuspended
    ) {
      resp.complete(tag === Tag.CommandComplete ? decodeCommandTag(m.payload) : '');
      return this.finish(out, head, 'Execute', head.req, resp.toString(), m);
    }
    this.unexpected(m);
  }

  /** A query's result message into its text; false when `m` is not one. */
  private result(resp: ResultText, m: PgMessage): boolean {
    switch (m.tag) {
      case Tag.RowDescription:
        resp.rowDescription(
          (this.decoded(() => decodeRowDescription(m.payload)) ?? []).map((f) => f.name),
        );
        return true;
      case Tag.DataRow:
        this.decoded(() => resp.dataRow(m.payload, m.truncated));
        return true;
      case Tag.CommandComplete:
        resp.complete(decodeCommandTag(m.payload));
        return true;
      case Tag.EmptyQueryResponse:
        resp.complete('');
        return true;
      case Tag.ErrorResponse:
        resp.error(this.errorOf(m));
        return true;
    }
    return false;
  }

  /**
   * A request answered by one message (`ok`) or an ErrorResponse, whose record (when `cmd` is
   * set) shows the error; after an error the server skips the rest of the extended query.
   */
  private simpleAnswer(
    head: Pending,
    m: PgMessage,
    out: PgsqlRecord[],
    ok: number,
    cmd: PgsqlCommand | undefined,
    req: () => string,
  ): void {
    if (m.tag === ok) {
      // Its request could not be decoded: the answer is consumed, no record made.
      this.pending.shift();
      return;
    }
    if (m.tag !== Tag.ErrorResponse) return this.unexpected(m);
    if (cmd && 'msg' in head && head.msg) this.finish(out, head, cmd, req(), this.errorOf(m), m);
    else this.pending.shift();
    this.discardRest();
  }

  /** The head request is answered: its record, if it makes one, and the next request is head. */
  private finish(
    out: PgsqlRecord[],
    head: Pending,
    reqCmd: PgsqlCommand,
    req: string,
    resp: string,
    last: PgMessage,
  ): void {
    this.pending.shift();
    out.push({
      reqCmd,
      req: clip(req, this.limits.maxTextChars),
      resp: clip(resp, this.limits.maxTextChars),
      startTs: head.startTs,
      endTs: last.endTs,
    });
  }

  /** After an error in an extended query: requests up to the next Sync were skipped by the server. */
  private discardRest(): void {
    const sync = this.pending.findIndex((p) => p.kind === 'sync');
    if (sync < 0) {
      this.pending.length = 0;
      this.discardUntilSync = true;
    } else {
      this.pending.splice(0, sync);
    }
  }

  /**
   * A message the head request cannot take. A ReadyForQuery during an extended query means the
   * server skipped the requests before Sync (after an error we did not see): they are dropped.
   */
  private unexpected(m: PgMessage): void {
    this.unmatched++;
    if (m.tag !== Tag.ReadyForQuery || !EXTENDED.has(this.pending[0]?.kind ?? '')) return;
    const sync = this.pending.findIndex((p) => p.kind === 'sync');
    if (sync >= 0) this.pending.splice(0, sync + 1);
  }

  /** Response bytes were lost: what was held before them can no longer be answered in order. */
  private lostResponses(): void {
    this.respReader.resynced = false;
    this.unmatched += this.held.clear();
    this.afterGap = true;
  }

  /**
   * The first message after lost response bytes (sent at `ts`) answers, as in HTTP, the latest
   * request sent before it that starts a conversation (a Query, or an extended query's first
   * message after a Sync); the requests before that one lost their answers.
   */
  private resumeAfterGap(ts: number): void {
    this.afterGap = false;
    let keep = 0;
    for (let i = 0; i < this.pending.length && this.pending[i]!.startTs <= ts; i++) {
      const before = this.pending[i - 1]?.kind;
      if (!EXTENDED.has(this.pending[i]!.kind) || !before || before === 'sync') keep = i;
    }
    this.unmatched += keep;
    this.pending.splice(0, keep);
  }

  private resultText(): ResultText {
    return new ResultText(
      this.limits.maxTextChars,
      this.limits.maskLiterals ? MASKED_VALUE : undefined,
    );
  }

  private errorOf(m: PgMessage): string {
    return errorText(
      this.decoded(() => decodeErrorFields(m.payload, m.truncated)) ?? [],
      this.limits.maskLiterals,
    );
  }

  /** SQL text as the rows carry it: cut to the limit, literals masked when asked. */
  private sqlText(sql: string): string {
    const text = clip(sql, this.limits.maxTextChars);
    return this.limits.maskLiterals ? maskSqlLiterals(text, 'pgsql') : text;
  }

  /** A decoder's result, or undefined (counted) when the message does not hold what it should. */
  private decoded<T>(decode: () => T): T | undefined {
    try {
      return decode();
    } catch (err) {
      if (!(err instanceof SqlProtocolError)) throw err;
      this.unmatched++;
      return undefined;
    }
  }
}

function isCopyTag(tag: number): boolean {
  return (
    tag === Tag.CopyInResponse ||
    tag === Tag.CopyOutResponse ||
    tag === Tag.CopyBothResponse ||
    tag === Tag.CopyData ||
    tag === Tag.CopyDone
  );
}
