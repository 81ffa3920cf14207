import { join } from 'node:path';
import { captureSteps } from '../../../../test/support/sql-conversations';
import * as pg from '../../../../test/support/pg-wire';
import { looksLikeMysql } from '../mysql/mysql-infer';
import { looksLikePgsql } from '../pgsql/pgsql-infer';
import { Side } from '../stitcher';

/** The first chunk of each side of a capture, and every chunk that starts a message. */
function firstChunks(protocol: 'pgsql' | 'mysql', name: string): Record<Side, Uint8Array> {
  const steps = captureSteps(join(__dirname, '..', protocol, 'testdata', `${name}.jsonl`));
  const first = (kind: Side) => steps.find((s) => s.kind === kind)!.bytes as Uint8Array;
  return { request: first('request'), response: first('response') };
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const dnsQuery = Buffer.from('abcd01000001000000000000076578616d706c6503636f6d0000010001', 'hex');
const dnsAnswer = Buffer.from(
  'abcd81800001000100000000076578616d706c6503636f6d0000010001c00c000100010000012c00045db8d822',
  'hex',
);
const tcp = (dns: Buffer) => Buffer.concat([Buffer.of(dns.length >> 8, dns.length & 255), dns]);

/** Bytes of other protocols that neither parser may claim, by the side that sends them. */
const FOREIGN: [string, Side, Buffer][] = [
  ['an HTTP/1.1 GET', 'request', latin1('GET /api/items HTTP/1.1\r\nHost: svc\r\n\r\n')],
  ['an HTTP/1.1 POST', 'request', latin1('POST /orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}')],
  ['an HTTP/1.1 HEAD', 'request', latin1('HEAD / HTTP/1.1\r\n\r\n')],
  ['an HTTP/1.1 response', 'response', latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')],
  [
    'the HTTP/2 preface',
    'request',
    latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00'),
  ],
  [
    'an HTTP/2 SETTINGS frame',
    'response',
    latin1('\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64'),
  ],
  [
    'an HTTP/2 HEADERS frame',
    'request',
    latin1(
      '\x00\x00\x0d\x01\x05\x00\x00\x00\x01\x82\x86\x84\x41\x8a\xa0\xe4\x1d\x13\x9d\x09\xb8\xf0\x1e\x07',
    ),
  ],
  ['a Redis command', 'request', latin1('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')],
  ['a Redis inline PING', 'request', latin1('PING\r\n')],
  ['a Redis +OK', 'response', latin1('+OK\r\n')],
  ['a Redis error', 'response', latin1('-ERR unknown command\r\n')],
  ['a Redis bulk reply', 'response', latin1('$5\r\nhello\r\n')],
  ['a Redis integer', 'response', latin1(':1000\r\n')],
  ['a DNS query over UDP', 'request', dnsQuery],
  ['a DNS answer over UDP', 'response', dnsAnswer],
  ['a DNS query over TCP', 'request', tcp(dnsQuery)],
  ['a DNS answer over TCP', 'response', tcp(dnsAnswer)],
];

describe('protocol inference from first bytes', () => {
  it.each([
    ['pgsql', 'psql'],
    ['pgsql', 'node-pg'],
    ['pgsql', 'pgbench-pipeline'],
  ] as const)(
    'looksLikePgsql claims both sides of %s/%s, and looksLikeMysql neither',
    (p, name) => {
      const { request, response } = firstChunks(p, name);
      expect([looksLikePgsql(request, 'request'), looksLikePgsql(response, 'response')]).toEqual([
        true,
        true,
      ]);
      expect([looksLikeMysql(request, 'request'), looksLikeMysql(response, 'response')]).toEqual([
        false,
        false,
      ]);
    },
  );

  it.each([
    ['mysql', 'mariadb-cli'],
    ['mysql', 'mysql2'],
    ['mysql', 'mariadb-connector-pipeline'],
  ] as const)(
    'looksLikeMysql claims both sides of %s/%s, and looksLikePgsql neither',
    (p, name) => {
      const { request, response } = firstChunks(p, name);
      expect([looksLikeMysql(request, 'request'), looksLikeMysql(response, 'response')]).toEqual([
        true,
        true,
      ]);
      expect([looksLikePgsql(request, 'request'), looksLikePgsql(response, 'response')]).toEqual([
        false,
        false,
      ]);
    },
  );

  it('recognises PostgreSQL joined midway from a whole first message', () => {
    expect(looksLikePgsql(pg.query('SELECT 1'), 'request')).toBe(true);
    expect(
      looksLikePgsql(
        Buffer.concat([
          pg.parse('', 'SELECT $1'),
          pg.bind('', '', ['1']),
          pg.execute(''),
          pg.sync(),
        ]),
        'request',
      ),
    ).toBe(true);
    expect(
      looksLikePgsql(Buffer.concat([pg.rowDescription(['a']), pg.dataRow(['1'])]), 'response'),
    ).toBe(true);
    expect(looksLikePgsql(pg.ready(), 'response')).toBe(true);
    expect(looksLikePgsql(pg.sslRequest(), 'request')).toBe(true);
    // A message cut short is not enough to tell.
    expect(looksLikePgsql(pg.query('SELECT 1').subarray(0, 8), 'request')).toBe(false);
  });

  it('recognises MySQL joined midway from a whole first packet', () => {
    const packet = (seq: number, payload: Buffer) =>
      Buffer.concat([Buffer.of(payload.length & 255, payload.length >> 8, 0, seq), payload]);
    expect(looksLikeMysql(packet(0, latin1('\x03SELECT 1')), 'request')).toBe(true);
    expect(looksLikeMysql(packet(0, latin1('\x0e')), 'request')).toBe(true);
    expect(
      looksLikeMysql(packet(1, latin1("\xff\x1e\x04#42S22Unknown column 'x'")), 'response'),
    ).toBe(true);
    expect(looksLikeMysql(packet(1, latin1('\x00\x01\x00\x02\x00\x00\x00')), 'response')).toBe(
      true,
    );
    expect(looksLikeMysql(packet(0, latin1('\x03')), 'request')).toBe(false);
    expect(looksLikeMysql(packet(0, latin1('\x20hello')), 'request')).toBe(false);
  });

  it.each(FOREIGN)('claims neither for %s', (_what, side, bytes) => {
    expect(looksLikePgsql(bytes, side)).toBe(false);
    expect(looksLikeMysql(bytes, side)).toBe(false);
  });
});
