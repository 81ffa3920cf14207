import { join } from 'node:path';
import { readCapture } from '../../../test/support/capture-proxy';
import { ScriptStep } from '../../../test/support/http-script';
import { dnsAnswer, dnsQuery, rdata } from '../../../test/support/dns-build';
import * as pg from '../../../test/support/pg-wire';
import { resp } from '../../../test/support/redis-client';
import { validateConfig } from '../../../cli/config/load';
import { ConnEvent, DataEvent, EventHeader } from '../ebpf/events';
import { Protocol, Role } from '../ebpf/layout';
import { protocolOptions } from '../protocols/protocol-options';
import { protocolRegistry } from '../protocols/registry';
import { Row } from '../transport/row';
import { ConnStatsAggregator } from './conn-stats';
import { ConnectionTracker } from './connection-tracker';

const clock = { fromMonotonic: (ns: number) => BigInt(ns) } as never;
const REQ = 'GET /items HTTP/1.1\r\nHost: svc\r\n\r\n';
const RESP = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function header(fd: number, role: number, tsid: number, monoNs = 1000): EventHeader {
  return { tgid: 4242, fd, role, tsid, monoNs, startTicks: 777 };
}

function conn(
  kind: ConnEvent['kind'],
  h: EventHeader,
  bytes: [number, number] = [0, 0],
  remotePort = 8080,
  protocol: number = Protocol.HTTP,
  ssl = false,
): ConnEvent {
  return {
    kind,
    header: h,
    family: 2,
    localAddr: '127.0.0.1',
    localPort: 40000 + h.fd,
    remoteAddr: '127.0.0.1',
    remotePort,
    protocol,
    bytesSent: bytes[0],
    bytesRecv: bytes[1],
    ssl,
    transport: 'tcp',
  };
}

function data(
  h: EventHeader,
  direction: 'egress' | 'ingress',
  pos: number,
  content: string | Buffer,
  protocol: number = Protocol.HTTP,
  encrypted = false,
): DataEvent {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  return {
    kind: 'data',
    header: h,
    direction,
    pos,
    msgSize: bytes.length,
    syscall: 1,
    protocol,
    encrypted,
    transport: 'tcp',
    peer: undefined,
    data: bytes,
  };
}

function setup(agentConfig: object = {}) {
  const rows: Record<string, Row[]> = {};
  const parseErrors: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  const opaque: string[] = [];
  const stats = new ConnStatsAggregator();
  const config = validateConfig({ agent: agentConfig }).agent;
  const tracker = new ConnectionTracker(
    0,
    protocolRegistry(protocolOptions(config), clock),
    stats,
    {
      row: (table, r) => (rows[table] ??= []).push(r),
      parseErrors: (protocol, n) => (parseErrors[protocol] = (parseErrors[protocol] ?? 0) + n),
      parseErrorKind: (protocol, kind, n) =>
        (errorKinds[`${protocol} ${kind}`] = (errorKinds[`${protocol} ${kind}`] ?? 0) + n),
      opaqueConnection: (protocol) => opaque.push(protocol),
      connectionsEvicted: () => undefined,
    },
  );
  const http: Row[] = (rows.http_events = []);
  const errors = () => parseErrors.http ?? 0;
  return { http, rows, stats, tracker, errors, parseErrors, errorKinds, opaque };
}

describe('ConnectionTracker', () => {
  it('turns a client connection into an http_events row and a closed conn_stats group', () => {
    const { http, stats, tracker } = setup();
    const h = (ns: number) => header(7, Role.CLIENT, 1, ns);
    tracker.handle(conn('open', h(1000)));
    tracker.handle(data(h(2000), 'egress', 0, REQ));
    tracker.handle(data(h(5000), 'ingress', 0, RESP));
    tracker.handle(conn('close', h(6000), [REQ.length, RESP.length]));
    expect(http).toEqual([
      expect.objectContaining({
        time_: 5000n,
        upid: { high: 4242n, low: 777n },
        trace_role: 1,
        remote_port: 8080,
        local_port: 40007,
        req_method: 'GET',
        req_path: '/items',
        resp_status: 200,
        latency: 3000,
      }),
    ]);
    expect(String(http[0]!.resp_body)).toBe('ok');
    expect(stats.rows(9n)).toEqual([
      {
        time_: 9n,
        upid: { high: 4242n, low: 777n },
        remote_addr: '127.0.0.1',
        remote_port: 8080,
        trace_role: 1,
        addr_family: 2,
        protocol: Protocol.HTTP,
        ssl: false,
        conn_open: 1,
        conn_close: 1,
        conn_active: 0,
        bytes_sent: REQ.length,
        bytes_recv: RESP.length,
      },
    ]);
    expect(tracker.size()).toBe(0);
  });

  it('sums connections to one remote endpoint in one cumulative group, and reports only changes', () => {
    const { stats, tracker } = setup();
    tracker.handle(conn('open', header(7, Role.CLIENT, 1)));
    tracker.handle(conn('close', header(7, Role.CLIENT, 1), [100, 200]));
    expect(stats.rows(1n)).toEqual([expect.objectContaining({ conn_open: 1, bytes_sent: 100 })]);
    expect(stats.rows(2n)).toEqual([]);
    tracker.handle(conn('open', header(9, Role.CLIENT, 2)));
    tracker.handle(data(header(9, Role.CLIENT, 2), 'egress', 0, REQ));
    expect(stats.rows(3n)).toEqual([
      expect.objectContaining({
        conn_open: 2,
        conn_close: 1,
        conn_active: 1,
        bytes_sent: 100 + REQ.length,
        bytes_recv: 200,
      }),
    ]);
  });

  it('treats a new generation on a known descriptor as a new connection, closing the old', () => {
    const { stats, tracker } = setup();
    tracker.handle(conn('open', header(7, Role.SERVER, 1), [0, 0], 51000));
    tracker.handle(conn('open', header(7, Role.SERVER, 2), [0, 0], 51001));
    expect(tracker.size()).toBe(1);
    const rows = stats.rows(1n);
    expect(rows.map((r) => [r.remote_port, r.conn_open, r.conn_close])).toEqual([
      [51000, 1, 1],
      [51001, 1, 0],
    ]);
  });

  it('tracks a connection whose open it missed, from its data', () => {
    const { http, tracker } = setup();
    const h = header(11, Role.SERVER, 5);
    tracker.handle(data(h, 'ingress', 0, REQ));
    tracker.handle(data({ ...h, monoNs: 1500 }, 'egress', 0, RESP));
    expect(http.map((r) => [r.trace_role, r.req_path, r.resp_status])).toEqual([
      [2, '/items', 200],
    ]);
    expect(tracker.size()).toBe(1);
  });

  it('closes the connections of processes that are gone', () => {
    const { stats, tracker } = setup();
    tracker.handle(conn('open', header(7, Role.CLIENT, 1)));
    tracker.retainProcesses(() => false);
    expect(tracker.size()).toBe(0);
    expect(stats.rows(1n)).toEqual([expect.objectContaining({ conn_open: 1, conn_close: 1 })]);
    stats.retainProcesses(() => false);
    expect(stats.size()).toBe(0);
  });

  it('parses the TLS plaintext of a connection, keeping the socket byte counts and marking it ssl', () => {
    const { http, stats, tracker } = setup();
    const h = (ns: number) => header(7, Role.SERVER, 1, ns);
    tracker.handle(conn('open', h(1000), [0, 0], 51000, Protocol.HTTP, true));
    tracker.handle(data(h(2000), 'ingress', 0, REQ, Protocol.HTTP, true));
    tracker.handle(data(h(5000), 'egress', 0, RESP, Protocol.HTTP, true));
    tracker.handle(conn('close', h(6000), [900, 500], 51000, Protocol.HTTP, true));
    expect(http.map((r) => [r.trace_role, r.req_path, r.resp_status, r.latency])).toEqual([
      [2, '/items', 200, 3000],
    ]);
    expect(stats.rows(9n)).toEqual([
      expect.objectContaining({
        ssl: true,
        protocol: Protocol.HTTP,
        bytes_sent: 900,
        bytes_recv: 500,
      }),
    ]);
  });

  it('ends what it parsed of raw bytes when the TLS plaintext begins, and ignores raw bytes after', () => {
    const { http, tracker, errors } = setup();
    const h = (ns: number) => header(7, Role.CLIENT, 1, ns);
    tracker.handle(conn('open', h(1000)));
    tracker.handle(data(h(1500), 'egress', 0, 'CONNECT svc:443 HTTP/1.1\r\nHost: svc:443\r\n\r\n'));
    tracker.handle(data(h(2000), 'egress', 0, REQ, Protocol.HTTP, true));
    tracker.handle(data(h(2500), 'ingress', 0, 'HTTP/1.1 400 Bad Request\r\n\r\n'));
    tracker.handle(data(h(5000), 'ingress', 0, RESP, Protocol.HTTP, true));
    expect(http.map((r) => [r.req_method, r.req_path, r.resp_status])).toEqual([
      ['GET', '/items', 200],
    ]);
    expect(errors()).toBe(1); // the CONNECT that never saw its response
  });

  it('counts parse errors from garbage on an HTTP connection', () => {
    const { http, tracker, errors } = setup();
    const h = header(7, Role.CLIENT, 1);
    tracker.handle(data(h, 'egress', 0, 'NOT AN HTTP REQUEST\r\n\r\n'));
    tracker.handle(conn('close', h));
    expect(http).toEqual([]);
    expect(errors()).toBeGreaterThan(0);
  });
});

describe('ConnectionTracker with the protocol registry', () => {
  /** A client connection of `protocol`: its open, then request and response chunks in turn. */
  function converse(
    t: ReturnType<typeof setup>,
    fd: number,
    protocol: number,
    exchanges: [Buffer, Buffer][],
  ) {
    let ns = 1000;
    const h = () => header(fd, Role.CLIENT, 1, (ns += 1000));
    t.tracker.handle(conn('open', h(), [0, 0], 5432, protocol));
    let sent = 0;
    let recv = 0;
    for (const [req, res] of exchanges) {
      t.tracker.handle(data(h(), 'egress', sent, req, protocol));
      t.tracker.handle(data(h(), 'ingress', recv, res, protocol));
      sent += req.length;
      recv += res.length;
    }
    t.tracker.handle(conn('close', h(), [sent, recv], 5432, protocol));
  }

  it("sends each protocol's data to its own parser and its rows to that protocol's table", () => {
    const t = setup({ sql: { maskLiterals: false }, redis: { maskArgs: false } });
    converse(t, 3, Protocol.PGSQL, [
      [pg.query('SELECT 1'), Buffer.concat([pg.complete('SELECT 1'), pg.ready()])],
    ]);
    converse(t, 4, Protocol.REDIS, [
      [Buffer.from(resp('SET', 'k', 'v')), Buffer.from('+OK\r\n')],
      [Buffer.from(resp('GET', 'k')), Buffer.from('$1\r\nv\r\n')],
    ]);
    expect(Object.keys(t.rows).sort()).toEqual(['http_events', 'pgsql_events', 'redis_events']);
    expect(t.rows.http_events).toEqual([]);
    expect(t.rows.pgsql_events).toEqual([
      expect.objectContaining({
        req_cmd: 'Query',
        req: 'SELECT 1',
        resp: 'SELECT 1',
        latency: 1000,
      }),
    ]);
    expect(t.rows.redis_events!.map((r) => [r.req_cmd, r.req_args, r.resp])).toEqual([
      ['SET', '{"key":"k","value":"v","options":[]}', 'OK'],
      ['GET', '{"key":"k"}', 'v'],
    ]);
    expect(t.parseErrors).toEqual({});
  });

  it('masks SQL literals and Redis argument values by default', () => {
    const t = setup();
    converse(t, 3, Protocol.PGSQL, [
      [
        pg.query("SELECT * FROM users WHERE pw = 'hunter2'"),
        Buffer.concat([pg.complete('SELECT 0'), pg.ready()]),
      ],
    ]);
    converse(t, 4, Protocol.REDIS, [
      [Buffer.from(resp('SET', 'k', 'hunter2')), Buffer.from('+OK\r\n')],
    ]);
    expect(t.rows.pgsql_events!.map((r) => r.req)).toEqual(["SELECT * FROM users WHERE pw = '?'"]);
    expect(t.rows.redis_events!.map((r) => r.req_args)).toEqual([
      '{"key":"k","value":"?","options":[]}',
    ]);
  });

  it('counts parse errors under the protocol that made them', () => {
    const t = setup();
    converse(t, 4, Protocol.REDIS, [
      [Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'), Buffer.from('\x00\x01garbage\r\n')],
    ]);
    expect(t.rows.redis_events ?? []).toEqual([]);
    expect(Object.keys(t.parseErrors)).toEqual(['redis']);
    expect(t.parseErrors.redis).toBeGreaterThan(0);
  });

  it('counts a connection that switched to TLS once, and parses none of its later bytes', () => {
    const t = setup();
    converse(t, 3, Protocol.PGSQL, [
      [pg.sslRequest(), Buffer.from('S')],
      [pg.query('SELECT 1'), Buffer.concat([pg.complete('SELECT 1'), pg.ready()])],
    ]);
    expect(t.opaque).toEqual(['pgsql']);
    expect(t.rows.pgsql_events ?? []).toEqual([]);
    expect(t.parseErrors).toEqual({});
  });

  it('leaves the data of a protocol it does not parse to conn_stats alone', () => {
    const t = setup();
    converse(t, 5, Protocol.UNKNOWN, [
      [Buffer.from('\x16\x03\x01hello'), Buffer.from('\x16\x03\x03')],
    ]);
    expect(t.rows.http_events).toEqual([]);
    expect(Object.keys(t.rows)).toEqual(['http_events']);
    expect(t.stats.rows(1n)).toEqual([expect.objectContaining({ bytes_sent: 8, bytes_recv: 3 })]);
  });

  /** A captured conversation replayed as a server's TLS plaintext (the kernel's positions). */
  function replayAsServer(t: ReturnType<typeof setup>, fd: number, steps: readonly ScriptStep[]) {
    const h = (ns: number) => header(fd, Role.SERVER, 1, ns);
    t.tracker.handle(conn('open', h(1), [0, 0], 50051, Protocol.UNKNOWN, true));
    const pos = { request: 0, response: 0 };
    for (const step of steps) {
      const bytes = Buffer.from(step.bytes as Uint8Array);
      const dir = step.kind === 'request' ? 'ingress' : 'egress';
      t.tracker.handle(data(h(step.ts!), dir, pos[step.kind], bytes, Protocol.HTTP2, true));
      pos[step.kind] += bytes.length;
    }
    t.tracker.handle(conn('close', h(1e12), [0, 0], 50051, Protocol.UNKNOWN, true));
  }

  const h2capture = (name: string) =>
    readCapture(join(__dirname, '..', 'protocols', 'http2', 'testdata', `${name}.jsonl`));

  it('parses HTTP/2 plaintext (gRPC here) into http_events rows with major_version 2', () => {
    const t = setup();
    replayAsServer(t, 6, h2capture('grpc-python'));
    expect(t.http.length).toBeGreaterThan(0);
    for (const r of t.http) {
      expect(r).toMatchObject({
        major_version: 2,
        minor_version: 0,
        trace_role: 2,
        encrypted: true,
      });
      expect(r.req_path).toMatch(/^\/pxgate\.test\.Greeter\//);
      expect(JSON.parse(String(r.resp_headers))).toHaveProperty('grpc-status');
    }
    expect(t.parseErrors).toEqual({});
  });

  it('counts what it could not decode of an HTTP/2 connection joined midway, by kind', () => {
    const t = setup();
    const steps = h2capture('node-h2c');
    // Both first writes (the preface and settings, the first HEADERS) were missed.
    replayAsServer(t, 6, steps.slice(3));
    expect(t.parseErrors.http2).toBeGreaterThan(0);
    const kinds = Object.entries(t.errorKinds).filter(([k]) => k.startsWith('http2 '));
    expect(kinds.reduce((n, [, v]) => n + v, 0)).toBe(t.parseErrors.http2);
  });
});

describe('ConnectionTracker on a datagram socket', () => {
  /** A datagram of a DNS socket that is not connected, to or from `port` on 127.0.0.1. */
  function datagram(h: EventHeader, direction: 'egress' | 'ingress', bytes: Buffer, port: number) {
    return {
      ...data(h, direction, 0, bytes, Protocol.DNS),
      transport: 'udp' as const,
      peer: { addr: '127.0.0.1', port },
    };
  }

  it("pairs a server's queries and answers per client, each row naming its client", () => {
    const t = setup();
    const h = (ns: number) => header(9, Role.SERVER, 1, ns);
    t.tracker.handle({ ...conn('open', h(1000), [0, 0], 0, Protocol.DNS), transport: 'udp' });
    // Two clients ask with the same id and question; the answers come in the other order.
    const q = dnsQuery(7, 'web.test', 1);
    t.tracker.handle(datagram(h(2000), 'ingress', q, 41000));
    t.tracker.handle(datagram(h(2100), 'ingress', q, 42000));
    const a = (addr: string) =>
      dnsAnswer(7, 'web.test', 1, [{ name: 'web.test', type: 1, rdata: rdata.a(addr) }]);
    t.tracker.handle(datagram(h(2500), 'egress', a('10.0.0.2'), 42000));
    t.tracker.handle(datagram(h(3000), 'egress', a('10.0.0.1'), 41000));
    t.tracker.handle({ ...conn('close', h(4000), [0, 0], 0, Protocol.DNS), transport: 'udp' });
    expect(
      t.rows.dns_events!.map((r) => [r.remote_port, r.latency, JSON.parse(String(r.resp_body))]),
    ).toEqual([
      [42000, 400, { answers: [{ name: 'web.test', type: 'A', addr: '10.0.0.2' }] }],
      [41000, 1000, { answers: [{ name: 'web.test', type: 'A', addr: '10.0.0.1' }] }],
    ]);
    expect(t.parseErrors).toEqual({});
  });

  it("pairs a connected client's query, which names no peer, with the answer recvmsg names one for", () => {
    const t = setup();
    const h = (ns: number) => header(9, Role.CLIENT, 1, ns);
    t.tracker.handle({ ...conn('open', h(1000), [0, 0], 53, Protocol.DNS), transport: 'udp' });
    t.tracker.handle({
      ...datagram(h(2000), 'egress', dnsQuery(3, 'a.test', 1), 0),
      peer: undefined,
    });
    const answer = dnsAnswer(3, 'a.test', 1, [
      { name: 'a.test', type: 1, rdata: rdata.a('10.0.0.3') },
    ]);
    t.tracker.handle(datagram(h(2600), 'ingress', answer, 53));
    expect(t.rows.dns_events!.map((r) => [r.remote_port, r.latency])).toEqual([[53, 600]]);
    expect(t.parseErrors).toEqual({});
  });

  it('counts no datagram socket in conn_stats', () => {
    const t = setup();
    const h = header(9, Role.CLIENT, 1);
    t.tracker.handle({ ...conn('open', h, [0, 0], 53, Protocol.DNS), transport: 'udp' });
    t.tracker.handle(datagram(h, 'egress', dnsQuery(1, 'a.test', 1), 53));
    t.tracker.handle({ ...conn('close', h, [30, 0], 53, Protocol.DNS), transport: 'udp' });
    expect(t.stats.rows(1n)).toEqual([]);
  });
});
