import { TableSchema } from '../../../shared/contract/types';
import { Row } from '../transport/row';
import { TracedEndpoint } from './common-columns';
import { Chunk } from './http/byte-stream';
import { Side, Stitcher } from './stitcher';

/** How a socket carries its bytes: a reassembled stream, or one message per datagram. */
export type Transport = 'tcp' | 'udp';

/** Where a connection's rows go: the table's name and the row. */
export type RowOut = (table: string, row: Row) => void;

/**
 * One protocol as the connection tracker drives it: Pixie's protocol number (what the kernel's
 * inference tags data with), the name its counters carry, the table its rows go to, a parser per
 * connection, and the row of each record that parser completes.
 */
export interface ProtocolSpec<R> {
  readonly protocol: number;
  /** The `protocol` label of the agent's counters (`http`, `dns`, ...). */
  readonly name: string;
  readonly table: TableSchema;
  /** A new parser for one connection or datagram socket. */
  stitcher(transport: Transport): Stitcher<R>;
  /** The row of one record, on the connection it travelled. */
  row(record: R, ep: TracedEndpoint): Row;
}

/** A protocol with its record type hidden: what the registry holds. */
export interface ProtocolHandler {
  readonly protocol: number;
  readonly name: string;
  readonly table: TableSchema;
  /** Starts parsing one connection. */
  open(transport: Transport): ConnectionParser;
}

/** One connection's parser, with its records turned into rows as they complete. */
export interface ConnectionParser {
  readonly handler: ProtocolHandler;
  /** Adds a chunk of one side; hands the rows it completed to `out`. */
  push(side: Side, chunk: Chunk, ep: TracedEndpoint, out: RowOut): void;
  /** The connection ended: hands over what can still be completed. */
  close(ep: TracedEndpoint, out: RowOut): void;
  /** What the parser gave up on so far (the agent's parse errors of this protocol). */
  errors(): number;
  /** Whether the connection switched to bytes the parser cannot read (TLS after a request). */
  opaque(): boolean;
  /** `errors()` by kind, when the protocol tells them apart. */
  errorCounts(): Readonly<Record<string, number>> | undefined;
}

/** A registry entry from a protocol's spec. */
export function defineProtocol<R>(spec: ProtocolSpec<R>): ProtocolHandler {
  const handler: ProtocolHandler = {
    protocol: spec.protocol,
    name: spec.name,
    table: spec.table,
    open: (transport) => new SpecParser(handler, spec, spec.stitcher(transport)),
  };
  return handler;
}

class SpecParser<R> implements ConnectionParser {
  constructor(
    readonly handler: ProtocolHandler,
    private readonly spec: ProtocolSpec<R>,
    private readonly stitcher: Stitcher<R>,
  ) {}

  push(side: Side, chunk: Chunk, ep: TracedEndpoint, out: RowOut): void {
    this.deliver(this.stitcher.push(side, chunk), ep, out);
  }

  close(ep: TracedEndpoint, out: RowOut): void {
    this.deliver(this.stitcher.close(), ep, out);
  }

  errors(): number {
    return this.stitcher.errors();
  }

  opaque(): boolean {
    return this.stitcher.opaque?.() ?? false;
  }

  errorCounts(): Readonly<Record<string, number>> | undefined {
    return this.stitcher.errorCounts?.();
  }

  private deliver(records: readonly R[], ep: TracedEndpoint, out: RowOut): void {
    const table = this.spec.table.name;
    for (let i = 0; i < records.length; i++) out(table, this.spec.row(records[i]!, ep));
  }
}
