import { AgentConfig } from '../../../cli/config/schema';
import { DEFAULT_DNS_LIMITS } from './dns/dns-stitcher';
import { HeaderMask } from './http/header-mask';
import { DEFAULT_STITCHER_LIMITS } from './http/http-stitcher';
import { DEFAULT_REDIS_LIMITS } from './redis/redis-stitcher';
import { ProtocolOptions } from './registry';
import { DEFAULT_SQL_LIMITS } from './sql/sql-limits';

/** The parsers' options from the agent's configuration (the rest are the parsers' defaults). */
export function protocolOptions(config: AgentConfig): ProtocolOptions {
  return {
    http: {
      limits: { ...DEFAULT_STITCHER_LIMITS, maxBodyBytes: config.http.maxBodyBytes },
      mask: HeaderMask.of(config.http),
    },
    dns: DEFAULT_DNS_LIMITS,
    sql: { ...DEFAULT_SQL_LIMITS, maskLiterals: config.sql.maskLiterals },
    redis: { limits: DEFAULT_REDIS_LIMITS, maskArgs: config.redis.maskArgs },
  };
}
