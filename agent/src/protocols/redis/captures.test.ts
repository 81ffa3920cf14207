import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  Conversation,
  TcpRecorder,
  bytewise,
  conversationSteps,
  joined,
  readCapture,
  writeCapture,
} from '../../../../test/support/capture-proxy';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { RawRedisClient, resp } from '../../../../test/support/redis-client';
import {
  REDIS_CLI,
  RunningRedis,
  redisUnavailable,
  startRedis,
} from '../../../../test/support/redis-server';
import { describeIfAvailable } from '../../../../test/support/system';
import { commandColumns, replyText } from './redis-format';
import { RedisExchange, RedisStitcher } from './redis-stitcher';

const TESTDATA = join(__dirname, 'testdata');

/** An exchange as its row's req_cmd, req_args and resp. */
function summary(x: RedisExchange): [string, string, string] {
  if (x.kind === 'push') return ['PUSH PUB', '', replyText(x.resp)];
  const { cmd, args } = commandColumns(x.req, false);
  return [cmd, args, replyText(x.resp)];
}

function replay(steps: readonly ScriptStep[]) {
  const s = new RedisStitcher();
  const out = runScript(s, steps);
  return { out, errors: s.errors() };
}

type Row = [string, string, unknown];

const REDIS_CLI_SCRIPT = [
  'SET user:1 alice',
  'GET user:1',
  'GET nope',
  'HSET user:2 name bob age 42',
  'HGETALL user:2',
  'LPUSH queue a b c',
  'LRANGE queue 0 -1',
  'INCR visits',
  'LPUSH user:1 x',
  'FOO bar',
  'CONFIG GET maxmemory',
  'SET session:9 token EX 100 NX',
  'DEL user:1 user:2 queue',
  'PING',
];

/**
 * redis-cli reading commands from its stdin, one connection, one command at a time, after the
 * COMMAND DOCS that redis-cli 7 asks first (for its hints): a reply of some 150 KB, nested three
 * deep, that the row keeps 16 K characters of.
 */
const REDIS_CLI_ROWS: Row[] = [
  [
    'COMMAND',
    '["DOCS"]',
    expect.stringMatching(/^\["[a-z]+","\[\\"summary\\".*","\.\.\. \[TRUNCATED\]"\]$/),
  ],
  ['SET', '{"key":"user:1","value":"alice","options":[]}', 'OK'],
  ['GET', '{"key":"user:1"}', 'alice'],
  ['GET', '{"key":"nope"}', '<NULL>'],
  [
    'HSET',
    '{"key":"user:2","field value":[{"field":"name"},{"value":"bob"},{"field":"age"},{"value":"42"}]}',
    '2',
  ],
  ['HGETALL', '{"key":"user:2"}', '["name","bob","age","42"]'],
  ['LPUSH', '{"key":"queue","element":["a","b","c"]}', '3'],
  ['LRANGE', '{"key":"queue","start":"0","stop":"-1"}', '["c","b","a"]'],
  ['INCR', '{"key":"visits"}', '1'],
  [
    'LPUSH',
    '{"key":"user:1","element":["x"]}',
    '-WRONGTYPE Operation against a key holding the wrong kind of value',
  ],
  ['', '["FOO","bar"]', "-ERR unknown command 'FOO', with args beginning with: 'bar' "],
  ['CONFIG GET', '{"parameter":"maxmemory"}', '["maxmemory","0"]'],
  ['SET', '{"key":"session:9","value":"token","options":["EX 100","NX"]}', 'OK'],
  ['DEL', '{"key":["user:1","user:2","queue"]}', '3'],
  ['PING', '{}', 'PONG'],
];

/** Five commands in one write, then inline commands (one quoted) and an empty line. */
const PIPELINE_WRITE =
  resp('SET', 'p1', '1') +
  resp('INCR', 'p1') +
  resp('GET', 'p1') +
  resp('MGET', 'p1', 'nope') +
  resp('ECHO', 'x'.repeat(3000)) +
  'PING\r\nSET greeting "hello world"\r\n\r\nGET greeting\r\n';

const PIPELINE_ROWS: Row[] = [
  ['SET', '{"key":"p1","value":"1","options":[]}', 'OK'],
  ['INCR', '{"key":"p1"}', '2'],
  ['GET', '{"key":"p1"}', '2'],
  ['MGET', '{"key":["p1","nope"]}', '["2","<NULL>"]'],
  [
    'ECHO',
    `{"message":"${'x'.repeat(1024)}... [TRUNCATED]"}`,
    `${'x'.repeat(1024)}... [TRUNCATED]`,
  ],
  ['PING', '{}', 'PONG'],
  ['SET', '{"key":"greeting","value":"hello world","options":[]}', 'OK'],
  ['GET', '{"key":"greeting"}', 'hello world'],
];

/** A RESP2 subscriber: two channels and a pattern, three messages, unsubscribed again. */
const SUBSCRIBER_ROWS: Row[] = [
  ['SUBSCRIBE', '{"channel":["news","weather"]}', '["subscribe","news","1"]'],
  ['PUSH PUB', '', '["message","news","hello"]'],
  ['PSUBSCRIBE', '{"pattern":["w*"]}', '["psubscribe","w*","3"]'],
  ['PUSH PUB', '', '["message","weather","sunny"]'],
  ['PUSH PUB', '', '["pmessage","w*","weather","sunny"]'],
  ['UNSUBSCRIBE', '["news","weather"]', '["unsubscribe","news","2"]'],
  ['PUNSUBSCRIBE', '[]', '["punsubscribe","w*","0"]'],
  ['PING', '{}', 'PONG'],
];

const PUBLISHER_ROWS: Row[] = [
  ['PUBLISH', '{"channel":"news","message":"hello"}', '1'],
  ['PUBLISH', '{"channel":"weather","message":"sunny"}', '2'],
  ['PUBLISH', '{"channel":"ch","message":"hi"}', '1'],
];

/** RESP3 after HELLO 3: maps, doubles, nulls, and pub/sub as pushes. */
const RESP3_ROWS: Row[] = [
  [
    'HELLO',
    '["3"]',
    expect.stringMatching(
      /^\{"server":"redis","version":"[\d.]+","proto":"3","id":"\d+","mode":"standalone","role":"master","modules":"\[\]"\}$/,
    ),
  ],
  ['HSET', '{"key":"h","field value":[{"field":"f"},{"value":"v"}]}', '1'],
  ['HGETALL', '{"key":"h"}', '{"f":"v"}'],
  ['ZADD', '["z","1.5","m"]', '1'],
  ['ZSCORE', '{"key":"z","member":"m"}', '1.5'],
  ['GET', '{"key":"nope"}', '<NULL>'],
  ['SUBSCRIBE', '{"channel":["ch"]}', '["subscribe","ch","1"]'],
  ['PUSH PUB', '', '["message","ch","hi"]'],
  ['PING', '{}', 'PONG'],
  ['UNSUBSCRIBE', '["ch"]', '["unsubscribe","ch","0"]'],
];

const CAPTURES: [string, Row[]][] = [
  ['redis-cli', REDIS_CLI_ROWS],
  ['pipeline-inline', PIPELINE_ROWS],
  ['subscriber', SUBSCRIBER_ROWS],
  ['publisher', PUBLISHER_ROWS],
  ['resp3', RESP3_ROWS],
];

const capture = (name: string) => readCapture(join(TESTDATA, `${name}.jsonl`));

describe('captured Redis conversations', () => {
  it.each(CAPTURES)(
    '%s: every command paired with its reply, published messages apart',
    (name, want) => {
      const { out, errors } = replay(capture(name));
      expect(out.map(summary)).toEqual(want);
      expect(errors).toBe(0);
      for (const x of out) {
        if (x.kind === 'reply') expect(x.resp.endTs).toBeGreaterThan(x.req.startTs);
      }
    },
  );

  it.each(CAPTURES.map(([name]) => name))(
    '%s: the same records when every byte is its own read, and when reads are joined',
    (name) => {
      const whole = replay(capture(name)).out.map(summary);
      expect(replay(bytewise(capture(name))).out.map(summary)).toEqual(whole);
      expect(replay(joined(capture(name))).out.map(summary)).toEqual(whole);
    },
  );

  it('redis-cli: a lost reply costs only its own exchange, counted', () => {
    const steps = capture('redis-cli');
    const lost = steps.findIndex(
      (s) => Buffer.from(s.bytes as Uint8Array).toString() === '$5\r\nalice\r\n',
    );
    steps[lost] = { ...steps[lost]!, lost: true };
    const { out, errors } = replay(steps);
    expect(out.map(summary)).toEqual([...REDIS_CLI_ROWS.slice(0, 2), ...REDIS_CLI_ROWS.slice(3)]);
    // The gap, and the command it left unanswered.
    expect(errors).toBe(2);
  });
});

/** Runs redis-cli with commands on its stdin (it sends them one at a time on one connection). */
function redisCli(port: number, commands: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(REDIS_CLI, ['-p', String(port)], (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(`${commands.join('\n')}\n`);
  });
}

describeIfAvailable('Redis recorded from redis-server on loopback', redisUnavailable(), () => {
  let redis: RunningRedis;
  let proxy: TcpRecorder;

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await TcpRecorder.start(redis.port);
  });

  afterAll(async () => {
    await proxy?.shutdown();
    await redis?.close();
  });

  /** Checks a fresh recording like the committed one, and replaces that with RECORD_CAPTURES=1. */
  function check(name: string, c: Conversation, want: Row[]) {
    const { out, errors } = replay(conversationSteps(c));
    expect(out.map(summary)).toEqual(want);
    expect(errors).toBe(0);
    if (process.env.RECORD_CAPTURES === '1') writeCapture(join(TESTDATA, `${name}.jsonl`), c);
  }

  /** Connects through the proxy; returns the client and its recorded conversation. */
  async function client(): Promise<{ c: RawRedisClient; conversation: () => Conversation }> {
    const before = proxy.conversations.length;
    const c = await RawRedisClient.connect(proxy.port);
    return { c, conversation: () => proxy.conversations[before]! };
  }

  it('redis-cli: fourteen commands, an error and an unknown command among them', async () => {
    const before = proxy.conversations.length;
    await redisCli(proxy.port, REDIS_CLI_SCRIPT);
    expect(proxy.conversations.length - before).toBe(1);
    check('redis-cli', proxy.conversations[before]!, REDIS_CLI_ROWS);
  });

  it('a pipeline of five commands in one write, then inline commands', async () => {
    const { c, conversation } = await client();
    c.send(PIPELINE_WRITE);
    await c.until('$11\r\nhello world\r\n');
    await c.close();
    check('pipeline-inline', conversation(), PIPELINE_ROWS);
  });

  it('pub/sub in RESP2 and RESP3: published messages are records of their own', async () => {
    const sub = await client();
    const pub = await client();
    const sub3 = await client();
    sub.c.send(resp('SUBSCRIBE', 'news', 'weather'));
    await sub.c.until(':2\r\n');
    pub.c.send(resp('PUBLISH', 'news', 'hello'));
    await pub.c.until(':1\r\n');
    await sub.c.until('hello\r\n');
    sub.c.send(resp('PSUBSCRIBE', 'w*'));
    await sub.c.until(':3\r\n');
    pub.c.send(resp('PUBLISH', 'weather', 'sunny'));
    await pub.c.until(':2\r\n');
    await sub.c.until('sunny\r\n');
    await sub.c.until('sunny\r\n');
    sub.c.send(resp('UNSUBSCRIBE', 'news', 'weather'));
    await sub.c.until(':1\r\n');
    sub.c.send(resp('PUNSUBSCRIBE'));
    await sub.c.until(':0\r\n');
    sub.c.send(resp('PING'));
    await sub.c.until('+PONG\r\n');

    sub3.c.send(resp('HELLO', '3'));
    await sub3.c.until('$7\r\nmodules\r\n*0\r\n');
    for (const [cmd, reply] of [
      [resp('HSET', 'h', 'f', 'v'), ':1\r\n'],
      [resp('HGETALL', 'h'), '%1\r\n$1\r\nf\r\n$1\r\nv\r\n'],
      [resp('ZADD', 'z', '1.5', 'm'), ':1\r\n'],
      [resp('ZSCORE', 'z', 'm'), ',1.5\r\n'],
      [resp('GET', 'nope'), '_\r\n'],
      [resp('SUBSCRIBE', 'ch'), ':1\r\n'],
    ] as const) {
      sub3.c.send(cmd);
      await sub3.c.until(reply);
    }
    pub.c.send(resp('PUBLISH', 'ch', 'hi'));
    await pub.c.until(':1\r\n');
    await sub3.c.until('$2\r\nhi\r\n');
    sub3.c.send(resp('PING'));
    await sub3.c.until('+PONG\r\n');
    sub3.c.send(resp('UNSUBSCRIBE', 'ch'));
    await sub3.c.until(':0\r\n');
    for (const x of [sub, pub, sub3]) await x.c.close();

    check('subscriber', sub.conversation(), SUBSCRIBER_ROWS);
    check('publisher', pub.conversation(), PUBLISHER_ROWS);
    check('resp3', sub3.conversation(), RESP3_ROWS);
  });
});
