import { Side } from '../../agent/src/protocols/stitcher';

/**
 * The first bytes other protocols put on a connection, per side, built by their specifications
 * with the values their common clients and servers send: what protocol inference must not claim.
 */
export interface FirstBytes {
  readonly protocol: string;
  readonly what: string;
  readonly side: Side;
  readonly bytes: Buffer;
}

const le24 = (n: number) => Buffer.of(n & 0xff, (n >> 8) & 0xff, n >> 16);
const le32 = (n: number) => Buffer.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const be32 = (n: number) => Buffer.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);

/** A PostgreSQL message: type byte (none for startup), then a length counting itself. */
function pgMessage(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type, 'latin1'), be32(body.length + 4), body]);
}

/** A MySQL packet: 3-byte little-endian length, sequence number, payload. */
function mysqlPacket(seq: number, payload: Buffer): Buffer {
  return Buffer.concat([le24(payload.length), Buffer.of(seq), payload]);
}

const pgStartup = pgMessage(
  '',
  Buffer.concat([
    be32(196608),
    Buffer.from('user\0postgres\0database\0app\0application_name\0psql\0\0'),
  ]),
);

const mysqlGreeting = mysqlPacket(
  0,
  Buffer.concat([
    Buffer.of(10),
    Buffer.from('5.5.5-10.11.6-MariaDB-0+deb12u1\0'),
    le32(31),
    Buffer.from('Yk;}*%Jd\0'),
    Buffer.of(0xfe, 0xf7, 0x2d, 0x02, 0x00, 0xff, 0x81, 0x15),
    Buffer.alloc(6),
    Buffer.of(0x1d, 0, 0, 0),
    Buffer.from('!m`B`s@8xSC4\0mysql_native_password\0'),
  ]),
);

const mysqlLogin = mysqlPacket(
  1,
  Buffer.concat([
    le32(0x000aa285),
    le32(16 * 1024 * 1024),
    Buffer.of(45),
    Buffer.alloc(23),
    Buffer.from('app\0'),
    Buffer.of(20),
    Buffer.alloc(20, 0x5a),
    Buffer.from('shop\0mysql_native_password\0'),
  ]),
);

const h2Settings = Buffer.from('000012040000000000000300000064000400a000000002000000', 'hex');

export const OTHER_PROTOCOLS: readonly FirstBytes[] = [
  {
    protocol: 'HTTP/1',
    what: 'GET',
    side: 'request',
    bytes: Buffer.from('GET /api/items?page=2 HTTP/1.1\r\nHost: svc\r\n\r\n'),
  },
  {
    protocol: 'HTTP/1',
    what: 'GET, one line',
    side: 'request',
    bytes: Buffer.from('GET / HTTP/1.1\r\n'),
  },
  {
    protocol: 'HTTP/1',
    what: 'POST',
    side: 'request',
    bytes: Buffer.from('POST /api/orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'),
  },
  {
    protocol: 'HTTP/1',
    what: 'response',
    side: 'response',
    bytes: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'),
  },
  {
    protocol: 'HTTP/2',
    what: 'client preface and SETTINGS',
    side: 'request',
    bytes: Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), h2Settings]),
  },
  { protocol: 'HTTP/2', what: 'server SETTINGS', side: 'response', bytes: h2Settings },
  { protocol: 'PostgreSQL', what: 'startup', side: 'request', bytes: pgStartup },
  {
    protocol: 'PostgreSQL',
    what: 'SSLRequest',
    side: 'request',
    bytes: Buffer.from('0000000804d2162f', 'hex'),
  },
  {
    protocol: 'PostgreSQL',
    what: 'query',
    side: 'request',
    bytes: pgMessage('Q', Buffer.from('SELECT 1;\0')),
  },
  { protocol: 'PostgreSQL', what: 'SSL refused', side: 'response', bytes: Buffer.from('N') },
  {
    protocol: 'PostgreSQL',
    what: 'SASL authentication',
    side: 'response',
    bytes: pgMessage('R', Buffer.concat([be32(10), Buffer.from('SCRAM-SHA-256\0\0')])),
  },
  {
    protocol: 'PostgreSQL',
    what: 'authentication ok and parameters',
    side: 'response',
    bytes: Buffer.concat([
      pgMessage('R', be32(0)),
      pgMessage('S', Buffer.from('server_version\x0015.5\0')),
    ]),
  },
  { protocol: 'MySQL', what: 'server greeting', side: 'response', bytes: mysqlGreeting },
  { protocol: 'MySQL', what: 'login', side: 'request', bytes: mysqlLogin },
  {
    protocol: 'MySQL',
    what: 'query',
    side: 'request',
    bytes: mysqlPacket(0, Buffer.from('\x03SELECT 1')),
  },
  {
    protocol: 'TLS',
    what: 'ClientHello',
    side: 'request',
    bytes: Buffer.from('160301020001000001fc0303', 'hex'),
  },
];
