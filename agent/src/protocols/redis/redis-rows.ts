import { Row } from '../../transport/row';
import { TracedEndpoint, commonColumns } from '../common-columns';
import { Clock } from '../http/http-rows';
import { commandColumns, replyText } from './redis-format';
import { RedisExchange } from './redis-stitcher';

export interface RedisRowOptions {
  /** Replace argument values (not commands, keys, fields or channels) with `?`. */
  readonly maskArgs: boolean;
}

/** Pixie's req_cmd of a published message, which answers no command. */
const PUBLISHED_CMD = 'PUSH PUB';

/**
 * A redis_events row with Pixie's columns: req_cmd, req_args and resp as Pixie writes them.
 * time_ is when the reply ended (wall clock); latency runs from the command's first byte to the
 * reply's last. A published message has no command: its req_cmd is `PUSH PUB`, latency 0.
 */
export function redisEventRow(
  x: RedisExchange,
  ep: TracedEndpoint,
  clock: Clock,
  options: RedisRowOptions = { maskArgs: false },
): Row {
  const row = commonColumns(ep, clock.fromMonotonic(x.resp.endTs));
  const { cmd, args } =
    x.kind === 'push' ? { cmd: PUBLISHED_CMD, args: '' } : commandColumns(x.req, options.maskArgs);
  row.req_cmd = cmd;
  row.req_args = args;
  row.resp = replyText(x.resp);
  row.latency = x.kind === 'push' ? 0 : Math.round(x.resp.endTs - x.req.startTs);
  return row;
}
