import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { resp } from '../../../../test/support/redis-client';
import { commandColumns, replyText } from './redis-format';
import { DEFAULT_REDIS_LIMITS, RedisExchange, RedisStitcher } from './redis-stitcher';

const req = (bytes: string, ts?: number): ScriptStep => ({ kind: 'request', bytes, ts });
const rep = (bytes: string, ts?: number): ScriptStep => ({ kind: 'response', bytes, ts });
const push = (...words: string[]) =>
  `>${words.length}\r\n${words.map((w) => `$${w.length}\r\n${w}\r\n`).join('')}`;
const arr = (...words: string[]) => resp(...words);
/** A RESP2 (un)subscribe confirmation: kind, channel, subscriptions left. */
const confirm = (kind: string, ch: string, n: number) =>
  `*3\r\n$${kind.length}\r\n${kind}\r\n$${ch.length}\r\n${ch}\r\n:${n}\r\n`;

/** Each record as [req_cmd, resp]. */
function rows(out: RedisExchange[]) {
  return out.map((x) => [
    x.kind === 'push' ? 'PUSH PUB' : commandColumns(x.req, false).cmd,
    replyText(x.resp),
  ]);
}

describe('RedisStitcher', () => {
  it('pairs pipelined replies with their commands in order', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('SET', 'a', '1') + arr('INCR', 'a') + arr('GET', 'a'), 1000),
      rep('+OK\r\n:2\r\n', 3000),
      rep('$1\r\n2\r\n', 4000),
    ]);
    expect(rows(out)).toEqual([
      ['SET', 'OK'],
      ['INCR', '2'],
      ['GET', '2'],
    ]);
    expect(out.map((x) => x.kind === 'reply' && x.resp.endTs - x.req.startTs)).toEqual([
      2000, 2000, 3000,
    ]);
    expect(s.errors()).toBe(0);
  });

  it('pairs a SUBSCRIBE to several channels with its first confirmation, and skips the others', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('SUBSCRIBE', 'a', 'b', 'c')),
      rep(confirm('subscribe', 'a', 1)),
      rep(confirm('subscribe', 'b', 2) + confirm('subscribe', 'c', 3)),
      rep(arr('message', 'b', 'hello')),
      req(arr('PING')),
      rep(arr('pong', '')),
    ]);
    expect(rows(out)).toEqual([
      ['SUBSCRIBE', '["subscribe","a","1"]'],
      ['PUSH PUB', '["message","b","hello"]'],
      ['PING', '["pong",""]'],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('reads confirmations of an UNSUBSCRIBE from all channels until none is left', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('SUBSCRIBE', 'a', 'b')),
      rep(confirm('subscribe', 'a', 1) + confirm('subscribe', 'b', 2)),
      req(arr('UNSUBSCRIBE')),
      rep(confirm('unsubscribe', 'b', 1) + confirm('unsubscribe', 'a', 0)),
      req(arr('LRANGE', 'l', '0', '-1')),
      rep(arr('message', 'x', 'y')),
    ]);
    expect(rows(out)).toEqual([
      ['SUBSCRIBE', '["subscribe","a","1"]'],
      ['UNSUBSCRIBE', '["unsubscribe","b","1"]'],
      // No longer subscribed: an array that looks like a message is LRANGE's reply.
      ['LRANGE', '["message","x","y"]'],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('keeps RESP3 pushes apart: published messages are records, invalidations are skipped', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('GET', 'k')),
      rep(push('invalidate', 'k', 'x') + push('message', 'ch', 'hi') + '$1\r\nv\r\n'),
    ]);
    expect(rows(out)).toEqual([
      ['PUSH PUB', '["message","ch","hi"]'],
      ['GET', 'v'],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('skips the feed after MONITOR, which answers no command', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('MONITOR')),
      rep('+OK\r\n'),
      rep(
        '+1700000000.000000 [0 127.0.0.1:5000] "GET" "k"\r\n+1700000000.000001 [0 127.0.0.1:5000] "PING"\r\n',
      ),
    ]);
    expect(rows(out)).toEqual([['MONITOR', 'OK']]);
    expect(s.errors()).toBe(0);
  });

  it('after losing reply bytes, pairs the next reply with the latest command sent before it', () => {
    const s = new RedisStitcher();
    const out = runScript(s, [
      req(arr('GET', 'a'), 1000),
      req(arr('GET', 'b'), 2000),
      { ...rep('$1\r\nA\r\n', 3000), lost: true },
      rep('$1\r\nB\r\n', 4000),
      req(arr('GET', 'c'), 5000),
      rep('$1\r\nC\r\n', 6000),
    ]);
    expect(out.map((x) => (x.kind === 'reply' ? [x.req.values, replyText(x.resp)] : []))).toEqual([
      [['GET', 'b'], 'B'],
      [['GET', 'c'], 'C'],
    ]);
    expect(s.errors()).toBe(2);
  });

  it('counts replies without a command, and commands dropped at the pending limit or at close', () => {
    const s = new RedisStitcher({ ...DEFAULT_REDIS_LIMITS, maxPendingRequests: 2 });
    expect(
      runScript(
        s,
        [rep('+OK\r\n'), req(arr('GET', 'a') + arr('GET', 'b') + arr('GET', 'c'))],
        false,
      ),
    ).toEqual([]);
    expect(s.pendingRequests()).toBe(2);
    expect(s.errors()).toBe(2);
    s.close();
    expect(s.errors()).toBe(4);
    expect(s.push('response', { pos: 5, size: 5, ts: 1, data: Buffer.from('+OK\r\n') })).toEqual(
      [],
    );
  });

  it('holds at most its buffer of captured bytes for an incomplete message', () => {
    const s = new RedisStitcher({ ...DEFAULT_REDIS_LIMITS, maxBufferBytes: 64 });
    const big = `$1000\r\n${'x'.repeat(500)}`;
    s.push('response', { pos: 0, size: big.length, ts: 1, data: Buffer.from(big) });
    expect(s.heldBytes()).toBeLessThanOrEqual(64);
  });
});
