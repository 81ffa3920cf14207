import { ConnectionParser, Transport } from '../protocols/protocol-spec';
import { Uint128 } from '../../../shared/contract/uint128';

/** What the agent knows about one traced socket. */
export interface Connection {
  /** tgid and fd in one number (the tracker's map key). */
  readonly key: number;
  readonly tgid: number;
  /** Generation of the descriptor: a new tsid on the same key is a new connection. */
  readonly tsid: number;
  readonly upid: Uint128;
  /** 1 client, 2 server. */
  readonly role: number;
  /** A TCP connection, or a datagram socket (one message per datagram). */
  transport: Transport;
  family: number;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** Pixie's protocol number (1: HTTP). */
  protocol: number;
  /** TLS was seen on it (conn_stats.ssl): a TLS record first, or plaintext from SSL_*. */
  ssl: boolean;
  /** Its parsed bytes are TLS plaintext read through the SSL_* uprobes (rows' `encrypted`). */
  encrypted: boolean;
  bytesSent: number;
  bytesRecv: number;
  /** Created on the first data of a protocol the agent parses. */
  parser: ConnectionParser | undefined;
  /** The parser's error count already reported, in all and by kind (when it has kinds). */
  reportedErrors: number;
  reportedErrorKinds: Readonly<Record<string, number>> | undefined;
  /** Whether the parser's switch to unreadable bytes was counted. */
  reportedOpaque: boolean;
  /** The conn_stats group it counts in, fixed when first counted. */
  statsKey: string | undefined;
}
