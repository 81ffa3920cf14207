import { testClock, testEndpoint } from '../../../../test/support/endpoint';
import { runScript } from '../../../../test/support/http-script';
import { resp } from '../../../../test/support/redis-client';
import { redisEventRow } from './redis-rows';
import { RedisStitcher } from './redis-stitcher';

const endpoint = { ...testEndpoint, remotePort: 6379 };
const clock = testClock;

function exchanges() {
  return runScript(new RedisStitcher(), [
    { kind: 'request', bytes: resp('SET', 'user:1', 'alice', 'EX', '60'), ts: 1000 },
    { kind: 'response', bytes: '+OK\r\n', ts: 3500 },
    { kind: 'request', bytes: resp('SUBSCRIBE', 'news'), ts: 4000 },
    { kind: 'response', bytes: '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n', ts: 4200 },
    { kind: 'response', bytes: '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n', ts: 9000 },
  ]);
}

describe('redisEventRow', () => {
  it("fills Pixie's columns: command, arguments and reply as Pixie writes them", () => {
    const [set] = exchanges();
    expect(redisEventRow(set!, endpoint, clock)).toEqual({
      time_: 1_700_000_000_000_003_500n,
      upid: endpoint.upid,
      remote_addr: '10.0.0.9',
      remote_port: 6379,
      local_addr: '10.0.0.2',
      local_port: 41000,
      trace_role: 1,
      encrypted: false,
      req_cmd: 'SET',
      req_args: '{"key":"user:1","value":"alice","options":["EX 60"]}',
      resp: 'OK',
      latency: 2500,
    });
  });

  it('writes a published message as Pixie does: PUSH PUB, no arguments, latency 0', () => {
    const [, , pub] = exchanges();
    expect(redisEventRow(pub!, { ...endpoint, encrypted: true }, clock)).toMatchObject({
      time_: 1_700_000_000_000_009_000n,
      encrypted: true,
      req_cmd: 'PUSH PUB',
      req_args: '',
      resp: '["message","news","hi"]',
      latency: 0,
    });
  });

  it('masks argument values when asked, keeping the command and the key', () => {
    const [set] = exchanges();
    expect(redisEventRow(set!, endpoint, clock, { maskArgs: true })).toMatchObject({
      req_cmd: 'SET',
      req_args: '{"key":"user:1","value":"?","options":["EX 60"]}',
      resp: 'OK',
    });
  });
});
