import { HttpStitcher } from '../protocols/http/http-stitcher';
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
  family: number;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** Pixie's protocol number (1: HTTP). */
  protocol: number;
  bytesSent: number;
  bytesRecv: number;
  /** Created on the first HTTP data. */
  stitcher: HttpStitcher | undefined;
  /** The stitcher's error count already reported. */
  reportedErrors: number;
  /** The conn_stats group it counts in, fixed when first counted. */
  statsKey: string | undefined;
}
