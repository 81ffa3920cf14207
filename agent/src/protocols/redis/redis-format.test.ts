import { commandColumns, replyText } from './redis-format';
import { INLINE, RespMessage } from './resp-parser';

const cmd = (...values: string[]): RespMessage => ({
  type: INLINE,
  values,
  text: '',
  startTs: 0,
  endTs: 0,
});
const columns = (values: string[], mask = false) => commandColumns(cmd(...values), mask);

describe('commandColumns', () => {
  it.each([
    [['set', 'k', 'v'], 'SET', '{"key":"k","value":"v","options":[]}'],
    [
      ['SET', 'k', 'v', 'ex', '10', 'NX', 'GET'],
      'SET',
      '{"key":"k","value":"v","options":["ex 10","NX","GET"]}',
    ],
    [['SET', 'k', 'v', 'PX'], 'SET', '["k","v","PX"]'],
    [
      ['SSCAN', 's', '0', 'MATCH', 'a*', 'COUNT', '5'],
      'SSCAN',
      '{"key":"s","cursor":"0","pattern":"a*","count":"5"}',
    ],
    [['SSCAN', 's', '0', 'TYPE', 'x'], 'SSCAN', '["s","0","TYPE","x"]'],
    [['EVALSHA', 'abc', '1', 'k'], 'EVALSHA', '["abc","1","k"]'],
    [['SCAN', '0', 'MATCH', 'user:*'], 'SCAN', '["0","MATCH","user:*"]'],
    [['DBSIZE'], 'DBSIZE', '[]'],
    [['PING'], 'PING', '{}'],
    [['GET'], 'GET', '[]'],
    [['HSET', 'h', 'f'], 'HSET', '["h","f"]'],
    [
      ['MSET', 'a', '1', 'b', '2'],
      'MSET',
      '{"key value":[{"key":"a"},{"value":"1"},{"key":"b"},{"value":"2"}]}',
    ],
    [
      ['config', 'set', 'maxmemory', '10mb'],
      'CONFIG SET',
      '{"parameter":"maxmemory","value":"10mb"}',
    ],
    [['CLIENT', 'SETNAME', 'app'], 'CLIENT SETNAME', '["app"]'],
    [['GET', 'a', 'extra'], 'GET', '{"key":"a"}'],
    [['FCALL', 'f', '0'], '', '["FCALL","f","0"]'],
  ])('writes %j as Pixie does', (values, name, args) => {
    expect(columns(values)).toEqual({ cmd: name, args });
  });

  it('always masks passwords: AUTH, HELLO AUTH, MIGRATE AUTH and AUTH2, ACL SETUSER, CONFIG SET', () => {
    expect(columns(['AUTH', 's3cret']).args).toBe('["?"]');
    expect(columns(['AUTH', 'app', 's3cret']).args).toBe('{"username":"app","password":"?"}');
    expect(columns(['HELLO', '3', 'AUTH', 'app', 's3cret', 'SETNAME', 'c']).args).toBe(
      '["3","AUTH","app","?","SETNAME","c"]',
    );
    expect(columns(['MIGRATE', 'h', '6379', 'k', '0', '5', 'AUTH', 'pw']).args).toBe(
      '["h","6379","k","0","5","AUTH","?"]',
    );
    expect(columns(['MIGRATE', 'h', '6379', 'k', '0', '5', 'AUTH2', 'u', 'pw']).args).toBe(
      '["h","6379","k","0","5","AUTH2","u","?"]',
    );
    expect(columns(['ACL', 'SETUSER', 'app', 'on', '>pw1', '#abc', 'allkeys']).args).toBe(
      '["app","on",">?","#?","allkeys"]',
    );
    // Named as Pixie names them: the first parameter and value (Redis 7 takes several).
    expect(columns(['CONFIG', 'SET', 'requirepass', 'pw', 'maxmemory', '1mb']).args).toBe(
      '{"parameter":"requirepass","value":"?"}',
    );
    expect(columns(['CONFIG', 'SET', 'requirepass']).args).toBe('["requirepass"]');
    expect(columns(['CONFIG', 'SET', 'MasterAuth', 'pw']).args).toBe(
      '{"parameter":"MasterAuth","value":"?"}',
    );
  });

  it('masks values but keeps commands, keys, fields and channels when asked', () => {
    const masked = (...values: string[]) => columns(values, true).args;
    expect(masked('SET', 'user:1', 'alice', 'EX', '10')).toBe(
      '{"key":"user:1","value":"?","options":["EX 10"]}',
    );
    expect(masked('HSET', 'user:2', 'name', 'bob')).toBe(
      '{"key":"user:2","field value":[{"field":"name"},{"value":"?"}]}',
    );
    expect(masked('LPUSH', 'q', 'a', 'b')).toBe('{"key":"q","element":["?","?"]}');
    expect(masked('PUBLISH', 'news', 'hello')).toBe('{"channel":"news","message":"?"}');
    expect(masked('MGET', 'a', 'b')).toBe('{"key":["a","b"]}');
    expect(masked('EVALSHA', 'sha', '1', 'k', 'v')).toBe(
      '{"sha1":"sha","numkeys":"1","key":["k"],"value":["?"]}',
    );
    expect(masked('SSCAN', 's', '0', 'MATCH', 'a*')).toBe(
      '{"key":"s","cursor":"?","pattern":"a*"}',
    );
    expect(masked('ZADD', 'z', '1', 'm')).toBe('["?","?","?"]');
    expect(masked('FCALL', 'f', '0')).toBe('["FCALL","?","?"]');
    expect(columns(['SET', 'user:1', 'alice'], true).cmd).toBe('SET');
  });

  it('gives a command that is not an array its text', () => {
    const m: RespMessage = { type: 0x2b, values: undefined, text: 'PING', startTs: 0, endTs: 0 };
    expect(commandColumns(m, false)).toEqual({ cmd: '', args: 'PING' });
    expect(commandColumns(m, true)).toEqual({ cmd: '', args: '?' });
  });
});

describe('replyText', () => {
  it('writes scalars as their text and aggregates as JSON, maps as objects', () => {
    const m = (type: string, values: string[] | undefined, text = ''): RespMessage => ({
      type: type.charCodeAt(0),
      values,
      text,
      startTs: 0,
      endTs: 0,
    });
    expect(replyText(m('+', undefined, 'OK'))).toBe('OK');
    expect(replyText(m('*', ['a', 'say "hi"']))).toBe('["a","say \\"hi\\""]');
    expect(replyText(m('%', ['k', 'v', 'k2', 'v2']))).toBe('{"k":"v","k2":"v2"}');
  });
});
