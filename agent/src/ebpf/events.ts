import { Peer } from '../protocols/http/byte-stream';
import { Transport } from '../protocols/protocol-spec';
import { formatAddress } from './address';
import {
  Direction,
  EventKind,
  PX_CONN_EVENT,
  PX_DATA_EVENT,
  PX_EVENT_HEADER,
  PX_EXEC_EVENT,
  Transport as TransportNumber,
} from './layout';

/** Fields every event carries: which connection of which process, and when. */
export interface EventHeader {
  readonly tgid: number;
  readonly fd: number;
  /** 1 client, 2 server (Pixie's trace_role). */
  readonly role: number;
  /** Connection generation: distinguishes reuses of one fd. */
  readonly tsid: number;
  /** CLOCK_MONOTONIC ns. */
  readonly monoNs: number;
  readonly startTicks: number;
}

export interface ConnEvent {
  readonly kind: 'open' | 'close' | 'stats';
  readonly header: EventHeader;
  readonly family: number;
  readonly localAddr: string;
  readonly localPort: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly protocol: number;
  readonly bytesSent: number;
  readonly bytesRecv: number;
  /** The connection carries TLS (it began with a TLS record, or SSL_* plaintext was seen). */
  readonly ssl: boolean;
  readonly transport: Transport;
}

export interface DataEvent {
  readonly kind: 'data';
  readonly header: EventHeader;
  readonly direction: 'egress' | 'ingress';
  readonly pos: number;
  readonly msgSize: number;
  readonly syscall: number;
  readonly protocol: number;
  /** TLS plaintext read through the SSL_* uprobes: `pos` counts plaintext bytes. */
  readonly encrypted: boolean;
  readonly transport: Transport;
  /** A datagram's peer, when the call named one (unconnected sockets). */
  readonly peer: Peer | undefined;
  /** The captured bytes: a copy, safe to keep. */
  readonly data: Uint8Array;
}

/** A process exec'd or mapped an executable file: where a TLS library may have appeared. */
export interface ExecEvent {
  readonly kind: 'exec';
  readonly header: EventHeader;
  /** The file's device as user space writes it (/proc/PID/maps, stat): major and minor. */
  readonly devMajor: number;
  readonly devMinor: number;
  readonly ino: number;
  /** The file's name (its path's last part), at most 31 bytes. */
  readonly name: string;
}

export type SocketEvent = ConnEvent | DataEvent | ExecEvent;

const H = PX_EVENT_HEADER.fields;
const C = PX_CONN_EVENT.fields;
const D = PX_DATA_EVENT.fields;
const X = PX_EXEC_EVENT.fields;
/** The kernel's dev_t: major in the bits above MINORBITS (20), minor below. */
const MINOR_BITS = 2 ** 20;
const CONN_KINDS: Record<number, ConnEvent['kind']> = {
  [EventKind.OPEN]: 'open',
  [EventKind.CLOSE]: 'close',
  [EventKind.STATS]: 'stats',
};

/**
 * Kernel u64 fields are read as JS numbers: exact below 2^53, which monotonic nanoseconds pass
 * after 104 days of uptime; beyond that they round to a few ns (latencies stay exact to within
 * that). Numbers keep the per-event path free of BigInt allocations.
 */
function u64(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) * 4294967296 + view.getUint32(offset, true);
}

/**
 * Decodes one ring buffer sample (socket_trace.h's px_conn_event or px_data_event, host byte
 * order) of `length` bytes at `offset` in `bytes`, which may be the ring's own memory: everything
 * returned is copied out of it. Returns undefined for a sample too short for its kind.
 */
export function decodeEvent(
  bytes: Uint8Array,
  offset = 0,
  length = bytes.length - offset,
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
): SocketEvent | undefined {
  if (length < PX_EVENT_HEADER.size) return undefined;
  const at = offset;
  const kind = view.getUint32(at + H.kind!.offset, true);
  const header: EventHeader = {
    tgid: view.getUint32(at + H.tgid!.offset, true),
    fd: view.getInt32(at + H.fd!.offset, true),
    role: view.getUint32(at + H.role!.offset, true),
    tsid: u64(view, at + H.tsid!.offset),
    monoNs: u64(view, at + H.ts_ns!.offset),
    startTicks: u64(view, at + H.start_ticks!.offset),
  };
  if (kind === EventKind.DATA) {
    if (length < D.data!.offset) return undefined;
    const captured = Math.min(
      view.getUint32(at + D.buf_size!.offset, true),
      length - D.data!.offset,
    );
    const from = at + D.data!.offset;
    const peerFamily = view.getUint16(at + D.peer_family!.offset, true);
    return {
      kind: 'data',
      header,
      direction:
        view.getUint8(at + D.direction!.offset) === Direction.EGRESS ? 'egress' : 'ingress',
      pos: u64(view, at + D.pos!.offset),
      msgSize: view.getUint32(at + D.msg_size!.offset, true),
      syscall: view.getUint8(at + D.syscall!.offset),
      protocol: view.getUint16(at + D.protocol!.offset, true),
      encrypted: view.getUint8(at + D.encrypted!.offset) !== 0,
      transport: transport(view.getUint8(at + D.transport!.offset)),
      peer:
        peerFamily === 0
          ? undefined
          : {
              addr: formatAddress(
                peerFamily,
                bytes.subarray(at + D.peer_addr!.offset, at + D.peer_addr!.offset + 16),
              ),
              port: view.getUint16(at + D.peer_port!.offset, true),
            },
      data: copyOut(bytes, from, captured),
    };
  }
  if (kind === EventKind.EXEC) {
    if (length < PX_EXEC_EVENT.size) return undefined;
    const dev = u64(view, at + X.dev!.offset);
    return {
      kind: 'exec',
      header,
      devMajor: Math.floor(dev / MINOR_BITS),
      devMinor: dev % MINOR_BITS,
      ino: u64(view, at + X.ino!.offset),
      name: cString(bytes, at + X.name!.offset, X.name!.size),
    };
  }
  const connKind = CONN_KINDS[kind];
  if (!connKind || length < PX_CONN_EVENT.size) return undefined;
  const family = view.getUint16(at + C.family!.offset, true);
  const addr = (field: 'local_addr' | 'remote_addr') =>
    formatAddress(family, bytes.subarray(at + C[field]!.offset, at + C[field]!.offset + 16));
  return {
    kind: connKind,
    header,
    family,
    localAddr: addr('local_addr'),
    localPort: view.getUint16(at + C.local_port!.offset, true),
    remoteAddr: addr('remote_addr'),
    remotePort: view.getUint16(at + C.remote_port!.offset, true),
    protocol: view.getUint16(at + C.protocol!.offset, true),
    bytesSent: u64(view, at + C.bytes_sent!.offset),
    bytesRecv: u64(view, at + C.bytes_recv!.offset),
    ssl: view.getUint8(at + C.ssl!.offset) !== 0,
    transport: transport(view.getUint8(at + C.transport!.offset)),
  };
}

/** The NUL-terminated latin1 string in a fixed field of `size` bytes. */
function cString(bytes: Uint8Array, from: number, size: number): string {
  const field = bytes.subarray(from, from + size);
  const end = field.indexOf(0);
  return Buffer.from(field.buffer, field.byteOffset, end < 0 ? size : end).toString('latin1');
}

function transport(n: number): Transport {
  return n === TransportNumber.UDP ? 'udp' : 'tcp';
}

/**
 * A copy of `length` bytes at `from`. Buffer.allocUnsafe takes small copies from Node's shared
 * pool, far cheaper than an ArrayBuffer of their own per event (Uint8Array#slice).
 */
function copyOut(bytes: Uint8Array, from: number, length: number): Buffer {
  const data = Buffer.allocUnsafe(length);
  data.set(bytes.subarray(from, from + length));
  return data;
}
