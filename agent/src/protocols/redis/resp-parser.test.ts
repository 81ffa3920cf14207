import { ByteStream } from '../http/byte-stream';
import { Side } from '../stitcher';
import { commandColumns, replyText } from './redis-format';
import { DEFAULT_REDIS_LIMITS } from './redis-stitcher';
import { INLINE, RespLimits, RespMessage, RespParser, TRUNCATED } from './resp-parser';

/** Every message in `text`, pushed as one chunk (or as one chunk per piece). */
function parse(side: Side, pieces: string | string[], limits: RespLimits = DEFAULT_REDIS_LIMITS) {
  const stream = new ByteStream(1 << 20);
  const parser = new RespParser(side, limits);
  const out: RespMessage[] = [];
  let pos = 0;
  for (const piece of typeof pieces === 'string' ? [pieces] : pieces) {
    const data = Buffer.from(piece, 'latin1');
    stream.push({ pos, size: data.length, ts: pos, data });
    pos += data.length;
    for (let m = parser.next(stream); m; m = parser.next(stream)) out.push(m);
  }
  return { out, errors: parser.errors };
}

const reply = (text: string) => parse('response', text).out.map(replyText);
const command = (text: string) => parse('request', text).out.map((m) => commandColumns(m, false));

describe('RespParser', () => {
  // Pixie's own parser test cases, with the text Pixie gives for each.
  it.each([
    ['+OK\r\n', 'OK'],
    ['-Error message\r\n', '-Error message'],
    ['$11\r\nbulk string\r\n', 'bulk string'],
    ['$0\r\n\r\n', ''],
    ['$-1\r\n', '<NULL>'],
    [
      '*3\r\n+OK\r\n-Error message\r\n$11\r\nbulk string\r\n',
      '["OK","-Error message","bulk string"]',
    ],
    ['*1\r\n$-1\r\n', '["<NULL>"]'],
    ['*-1\r\n', '[NULL]'],
    ['*0\r\n', '[]'],
    [':-42\r\n', '-42'],
    ['*2\r\n*2\r\n:1\r\n:2\r\n$1\r\na\r\n', '["[\\"1\\",\\"2\\"]","a"]'],
  ])('reads the RESP2 reply %j as Pixie writes it', (wire, text) => {
    expect(reply(wire)).toEqual([text]);
  });

  it.each([
    ['_\r\n', '<NULL>'],
    [',3.14\r\n', '3.14'],
    [',-inf\r\n', '-inf'],
    ['#t\r\n', 'true'],
    ['#f\r\n', 'false'],
    [
      '(3492890328409238509324850943850943825024385\r\n',
      '3492890328409238509324850943850943825024385',
    ],
    ['!21\r\nSYNTAX invalid syntax\r\n', '-SYNTAX invalid syntax'],
    ['=15\r\ntxt:Some string\r\n', 'Some string'],
    ['%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n', '{"first":"1","second":"2"}'],
    ['~2\r\n+a\r\n+b\r\n', '["a","b"]'],
    ['>3\r\n+message\r\n+ch\r\n+hi\r\n', '["message","ch","hi"]'],
    ['|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n', '["2"]'],
  ])('reads the RESP3 reply %j', (wire, text) => {
    expect(reply(wire)).toEqual([text]);
  });

  it.each([
    ['*2\r\n+ACL\r\n+LOAD\r\n', 'ACL LOAD', '[]'],
    ['*3\r\n$6\r\nappend\r\n$3\r\nfoo\r\n$3\r\nbar\r\n', 'APPEND', '{"key":"foo","value":"bar"}'],
    ['*2\r\n$11\r\nacl getuser\r\n$4\r\nuser\r\n', 'ACL GETUSER', '{"username":"user"}'],
    [
      '*3\r\n$11\r\nacl deluser\r\n$3\r\nfoo\r\n$3\r\nbar\r\n',
      'ACL DELUSER',
      '{"username":["foo","bar"]}',
    ],
    [
      '*4\r\n$10\r\nbrpoplpush\r\n$3\r\nsrc\r\n$4\r\ndest\r\n:10\r\n',
      'BRPOPLPUSH',
      '{"source":"src","destination":"dest","timeout":"10"}',
    ],
    [
      '*4\r\n$5\r\nlpush\r\n$3\r\nfoo\r\n$4\r\nbar0\r\n$4\r\nbar1\r\n',
      'LPUSH',
      '{"key":"foo","element":["bar0","bar1"]}',
    ],
    ['*3\r\n$7\r\nzpopmax\r\n$3\r\nfoo\r\n:10\r\n', 'ZPOPMAX', '{"key":"foo","count":"10"}'],
    ['*2\r\n$7\r\nzpopmax\r\n$3\r\nfoo\r\n', 'ZPOPMAX', '{"key":"foo"}'],
    [
      '*3\r\n$6\r\nswapdb\r\n$3\r\nfoo\r\n$3\r\nbar\r\n',
      'SWAPDB',
      '{"index1":"foo","index2":"bar"}',
    ],
    [
      '*5\r\n$7\r\nevalsha\r\n$3\r\nsha\r\n:3\r\n$3\r\nfoo\r\n$3\r\nbar\r\n',
      'EVALSHA',
      '{"sha1":"sha","numkeys":"3","key":["foo"],"value":["bar"]}',
    ],
    [
      '*4\r\n$4\r\nhset\r\n$3\r\nfoo\r\n$3\r\nval\r\n:3\r\n',
      'HSET',
      '{"key":"foo","field value":[{"field":"val"},{"value":"3"}]}',
    ],
  ])('reads the command %j as Pixie names it and its arguments', (wire, cmd, args) => {
    expect(command(wire)).toEqual([{ cmd, args }]);
  });

  it('reads inline commands as Redis splits them, skipping empty lines', () => {
    // An unbalanced quote is an error (Redis closes the connection); the next chunk is read.
    const { out, errors } = parse('request', [
      'PING\r\n\r\n  set k "a b\\x41\\n" \r\nGET \'it\\\'s\'\nECHO "open\r\n',
      'GET k\r\n',
    ]);
    expect(out.map((m) => [m.type, m.values])).toEqual([
      [INLINE, ['PING']],
      [INLINE, ['set', 'k', 'a bA\n']],
      [INLINE, ['GET', "it's"]],
      [INLINE, ['GET', 'k']],
    ]);
    expect(errors).toBe(1);
  });

  it('gives the same messages however the bytes are cut', () => {
    const wire =
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nal\r\n' +
      'PING\r\n' +
      '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n';
    const whole = parse('request', wire).out.map((m) => m.values);
    expect(whole).toEqual([['SET', 'k', 'v\r\nal'], ['PING'], ['GET', 'k']]);
    for (let cut = 1; cut < wire.length; cut++) {
      expect(
        parse('request', [wire.slice(0, cut), wire.slice(cut)]).out.map((m) => m.values),
      ).toEqual(whole);
    }
    expect(parse('request', [...wire]).out.map((m) => m.values)).toEqual(whole);
  });

  it('keeps a bounded prefix of long values, and a bounded text per message', () => {
    const limits = { ...DEFAULT_REDIS_LIMITS, maxValueBytes: 4, maxMessageChars: 30 };
    const long = '$10\r\n0123456789\r\n';
    expect(parse('response', long, limits).out.map(replyText)).toEqual([`0123${TRUNCATED}`]);
    expect(parse('response', `+${'a'.repeat(10)}\r\n`, limits).out.map(replyText)).toEqual([
      `aaaa${TRUNCATED}`,
    ]);
    const many = `*8\r\n${'$3\r\nabc\r\n'.repeat(8)}`;
    const [m] = parse('response', many, limits).out;
    expect(m!.values).toEqual(['abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc']);
    const [big] = parse('response', `*12\r\n${'$3\r\nabc\r\n'.repeat(12)}`, limits).out;
    expect(big!.values).toEqual([...Array(10).fill('abc'), TRUNCATED]);
  });

  it('keeps UTF-8 text, and replaces what is not UTF-8', () => {
    expect(reply('$5\r\nh\xc3\xa9\xff!\r\n')).toEqual(['h\u00e9\ufffd!']);
  });

  it('counts what is malformed, and resumes at the next chunk that starts a message', () => {
    const bad = [
      '?what\r\n',
      '$abc\r\n',
      '$-2\r\n',
      '*-2\r\n',
      '$3\r\nabcd\r\n',
      '#x\r\n',
      ':12a\r\n',
      '+no cr\n',
    ];
    for (const b of bad) {
      const { out, errors } = parse('response', [b, '+OK\r\n']);
      expect([b, out.map(replyText), errors]).toEqual([b, ['OK'], 1]);
    }
  });

  it('refuses nesting deeper than the limit', () => {
    const limits = { ...DEFAULT_REDIS_LIMITS, maxDepth: 3 };
    expect(parse('response', '*1\r\n*1\r\n*1\r\n:1\r\n', limits).out.map(replyText)).toEqual([
      '["[\\"[\\\\\\"1\\\\\\"]\\"]"]',
    ]);
    expect(parse('response', '*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n', limits).errors).toBe(1);
  });

  it('skips the bytes of a value that the capture missed, keeping what it caught', () => {
    const stream = new ByteStream(1 << 20);
    const parser = new RespParser('response', DEFAULT_REDIS_LIMITS);
    const head = Buffer.from('$10\r\n0123');
    stream.push({ pos: 0, size: head.length + 6 + 2, ts: 1, data: head });
    stream.push({ pos: head.length + 8, size: 5, ts: 2, data: Buffer.from('+OK\r\n') });
    const a = parser.next(stream);
    const b = parser.next(stream);
    expect([a && replyText(a), b && replyText(b), parser.errors]).toEqual([
      `0123${TRUNCATED}`,
      'OK',
      0,
    ]);
  });
});
