import {
  DNS_EVENTS,
  HTTP_EVENTS,
  MYSQL_EVENTS,
  PGSQL_EVENTS,
  REDIS_EVENTS,
} from '../../../shared/contract/schemas';
import { Protocol } from '../ebpf/layout';
import { dnsEventRow } from './dns/dns-rows';
import { DnsStitcher, DnsStitcherLimits } from './dns/dns-stitcher';
import { Clock } from './http/http-rows';
import { HeaderMask } from './http/header-mask';
import { httpEventRow } from './http/http-rows';
import { HttpStitcher, StitcherLimits } from './http/http-stitcher';
import { http2EventRow } from './http2/http2-rows';
import { Http2Stitcher } from './http2/http2-stitcher';
import { mysqlEventRow } from './mysql/mysql-rows';
import { MysqlStitcher } from './mysql/mysql-stitcher';
import { pgsqlEventRow } from './pgsql/pgsql-rows';
import { PgsqlStitcher } from './pgsql/pgsql-stitcher';
import { ProtocolHandler, defineProtocol } from './protocol-spec';
import { redisEventRow } from './redis/redis-rows';
import { RedisStitcher, RedisStitcherLimits } from './redis/redis-stitcher';
import { SqlLimits } from './sql/sql-limits';

/** How each protocol is parsed and what its rows keep. */
export interface ProtocolOptions {
  /** HTTP/1 and HTTP/2 alike. */
  readonly http: { readonly limits: StitcherLimits; readonly mask: HeaderMask };
  readonly dns: DnsStitcherLimits;
  /** PostgreSQL and MySQL (maskLiterals among them). */
  readonly sql: SqlLimits;
  readonly redis: { readonly limits: RedisStitcherLimits; readonly maskArgs: boolean };
}

/** Pixie's protocol number (as the kernel tags data) to the protocol that parses it. */
export type ProtocolRegistry = ReadonlyMap<number, ProtocolHandler>;

/**
 * Every protocol the agent parses, one entry each: a new protocol is a new entry here (with its
 * number in bpf/socket_trace.h and its inference in bpf/protocol_inference.h).
 */
export function protocolRegistry(opts: ProtocolOptions, clock: Clock): ProtocolRegistry {
  const handlers = [
    defineProtocol({
      protocol: Protocol.HTTP,
      name: 'http',
      table: HTTP_EVENTS,
      stitcher: () => new HttpStitcher(opts.http.limits),
      row: (x, ep) => httpEventRow(x, ep, clock, opts.http.mask),
    }),
    // HTTP/2 and gRPC (h2c, and TLS with ALPN h2): HTTP/1's limits and mask, HTTP/2's own rest.
    defineProtocol({
      protocol: Protocol.HTTP2,
      name: 'http2',
      table: HTTP_EVENTS,
      stitcher: () => new Http2Stitcher(opts.http.limits),
      row: (x, ep) => http2EventRow(x, ep, clock, opts.http.mask),
    }),
    defineProtocol({
      protocol: Protocol.DNS,
      name: 'dns',
      table: DNS_EVENTS,
      stitcher: (transport) => new DnsStitcher(transport, opts.dns),
      row: (x, ep) => dnsEventRow(x, ep, clock),
    }),
    defineProtocol({
      protocol: Protocol.PGSQL,
      name: 'pgsql',
      table: PGSQL_EVENTS,
      stitcher: () => new PgsqlStitcher(opts.sql),
      row: (x, ep) => pgsqlEventRow(x, ep, clock),
    }),
    defineProtocol({
      protocol: Protocol.MYSQL,
      name: 'mysql',
      table: MYSQL_EVENTS,
      stitcher: () => new MysqlStitcher(opts.sql),
      row: (x, ep) => mysqlEventRow(x, ep, clock),
    }),
    defineProtocol({
      protocol: Protocol.REDIS,
      name: 'redis',
      table: REDIS_EVENTS,
      stitcher: () => new RedisStitcher(opts.redis.limits),
      row: (x, ep) => redisEventRow(x, ep, clock, { maskArgs: opts.redis.maskArgs }),
    }),
  ];
  return new Map(handlers.map((h) => [h.protocol, h]));
}
