import { MyPacket } from './mysql-packets';
import {
  columnCount,
  decodePrepareOk,
  errMessage,
  firstByte,
  isEof,
  isErr,
  isOk,
  isResultSetEnd,
  statusFlags,
} from './mysql-decode';
import { LOCAL_INFILE, RespStatus, SERVER_MORE_RESULTS_EXISTS } from './mysql-protocol';

/** A finished response: Pixie's resp_status and resp_body, or no record at all ('silent'). */
export type Outcome =
  { readonly status: number; readonly body: string; readonly prepared?: Prepared } | 'silent';

/** What a successful COM_STMT_PREPARE made. */
export interface Prepared {
  readonly statementId: number;
  readonly params: number;
}

/**
 * Where a response is: `more` when the packet was taken and more are due, an Outcome when the
 * response ended with it, `bad` when the packet cannot be part of it (not taken), and `done` when
 * the response ended before this packet (not taken: it belongs to the next response).
 */
export type Step = 'more' | 'bad' | 'done' | Outcome;

/** The shape of response each command gets. */
export type ResponseKind = 'result' | 'prepare' | 'basic' | 'fields' | 'one' | 'auth';

/**
 * Follows one command's response packet by packet. Result sets (COM_QUERY, COM_STMT_EXECUTE)
 * are column count, column definitions, an EOF unless CLIENT_DEPRECATE_EOF, rows, then an EOF or
 * an 0xfe OK, possibly followed by more result sets; rows are counted, not kept. Whether the
 * connection uses CLIENT_DEPRECATE_EOF comes from the handshake, or (when it was not seen) from
 * the packets: an EOF is 5 bytes, an OK at least 7.
 */
export class ResponseReader {
  private phase: 'first' | 'columns' | 'afterColumns' | 'rows' | 'infile' = 'first';
  private left = 0;
  private rows = 0;
  private readonly bodies: string[] = [];
  private prepared: Prepared | undefined;
  private readonly sections: Section[] = [];

  constructor(
    private readonly kind: ResponseKind,
    private readonly deprecateEof: boolean | undefined,
  ) {}

  step(p: MyPacket): Step {
    switch (this.kind) {
      case 'result':
        return this.result(p);
      case 'prepare':
        return this.prepare(p);
      case 'basic':
        if (isOk(p.payload, p.length) || isEof(p.payload, p.length)) return ok('');
        return isErr(p.payload, p.length) ? err(p) : 'bad';
      case 'fields':
        if (isErr(p.payload, p.length) || isEof(p.payload, p.length)) return 'silent';
        return 'more';
      case 'one':
        return 'silent';
      case 'auth':
        return isOk(p.payload, p.length) || isErr(p.payload, p.length) ? 'silent' : 'more';
    }
  }

  /**
   * Whether the next packet's sequence id cannot be foretold: after a LOCAL INFILE request the
   * client's file packets take sequence ids too, so the server's OK comes with any of them.
   */
  anySequence(): boolean {
    return this.phase === 'infile';
  }

  /** The response ended without more packets (the connection closed): what it amounts to. */
  end(): Outcome | undefined {
    const owed = this.sections.filter((s) => s !== 'maybe-eof' && s !== 'none');
    return this.prepared && owed.length === 0 ? this.preparedOutcome() : undefined;
  }

  private result(p: MyPacket): Step {
    const b = p.payload;
    switch (this.phase) {
      case 'first': {
        if (isErr(b, p.length)) return err(p);
        if (isOk(b, p.length)) return this.moreResults(b) ? 'more' : ok(this.bodies.join(', '));
        if (firstByte(b) === LOCAL_INFILE) {
          this.phase = 'infile';
          return 'more';
        }
        const count = columnCount(b, p.length);
        if (!count) return 'bad';
        this.left = count.columns;
        // Without definitions (MariaDB's cached metadata) rows follow at once.
        this.phase = count.definitions ? 'columns' : 'afterColumns';
        return 'more';
      }
      case 'columns':
        if (isErr(b, p.length)) return err(p);
        if (--this.left === 0) this.phase = 'afterColumns';
        return 'more';
      case 'afterColumns':
        this.phase = 'rows';
        this.rows = 0;
        if (this.intermediateEof(p)) return 'more';
        return this.result(p);
      case 'rows':
        if (isErr(b, p.length)) return err(p);
        if (!isResultSetEnd(b, p.length)) {
          this.rows++;
          return 'more';
        }
        this.bodies.push(`Resultset rows = ${this.rows}`);
        return this.moreResults(b) ? 'more' : ok(this.bodies.join(', '));
      case 'infile':
        if (isErr(b, p.length)) return err(p);
        return isOk(b, p.length) ? ok('') : 'bad';
      default:
        return 'bad';
    }
  }

  /** Whether another result set follows this OK or EOF; if so, the next packet starts it. */
  private moreResults(b: Uint8Array): boolean {
    if ((statusFlags(b) & SERVER_MORE_RESULTS_EXISTS) === 0) return false;
    this.phase = 'first';
    return true;
  }

  /** The EOF after column definitions, which CLIENT_DEPRECATE_EOF leaves out. */
  private intermediateEof(p: MyPacket): boolean {
    if (this.deprecateEof === true) return false;
    return this.deprecateEof === false
      ? isEof(p.payload, p.length)
      : p.length === 5 && isEof(p.payload, p.length);
  }

  /**
   * COM_STMT_PREPARE_OK, then the parameter definitions and the column definitions, each
   * followed by an EOF unless CLIENT_DEPRECATE_EOF. When that is not known, whether an EOF
   * follows is only known from the next packet: `done` hands it to the next response.
   */
  private prepare(p: MyPacket): Step {
    if (!this.prepared) {
      if (isErr(p.payload, p.length)) return err(p);
      const head = decodePrepareOk(p.payload, p.length);
      if (!head) return 'bad';
      this.prepared = head;
      const eof: Section =
        this.deprecateEof === true ? 'none' : this.deprecateEof === false ? 'eof' : 'maybe-eof';
      for (const n of [head.params, head.columns]) {
        if (n > 0) this.sections.push(n, eof);
      }
      return this.preparedIfDone();
    }
    for (;;) {
      const section = this.sections[0];
      if (section === undefined) return 'done';
      if (typeof section === 'number') {
        if (section > 1) this.sections[0] = section - 1;
        else this.sections.shift();
        return this.preparedIfDone();
      }
      this.sections.shift();
      if (section === 'none') continue;
      if (isEof(p.payload, p.length)) return this.preparedIfDone();
      if (section === 'eof') return 'bad';
    }
  }

  /** The prepare answer's outcome once nothing more is due, else `more`. */
  private preparedIfDone(): Step {
    while (this.sections[0] === 'none') this.sections.shift();
    return this.sections.length === 0 ? this.preparedOutcome() : 'more';
  }

  private preparedOutcome(): Outcome {
    const { statementId, params } = this.prepared!;
    return { status: RespStatus.Ok, body: '', prepared: { statementId, params } };
  }
}

/** What a prepare answer still owes: a number of definitions, or an EOF (required or maybe). */
type Section = number | 'eof' | 'maybe-eof' | 'none';

const ok = (body: string): Outcome => ({ status: RespStatus.Ok, body });
const err = (p: MyPacket): Outcome => ({ status: RespStatus.Err, body: errMessage(p.payload) });
