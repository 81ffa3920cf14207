import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { mysqlFields } from '../../../../test/support/sql-expected';
import { DEFAULT_SQL_LIMITS } from '../sql/sql-limits';
import { MysqlStitcher } from './mysql-stitcher';

/** A packet: length, sequence id, payload (given in hex, or as text after a command byte). */
const packet = (seq: number, payload: Buffer) =>
  Buffer.concat([
    Buffer.of(payload.length & 255, (payload.length >> 8) & 255, payload.length >> 16, seq),
    payload,
  ]);
const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');
const cmd = (byte: number, text = '') => Buffer.concat([Buffer.of(byte), Buffer.from(text)]);
const req = (...packets: Buffer[]): ScriptStep => ({
  kind: 'request',
  bytes: Buffer.concat(packets),
});
const resp = (...packets: Buffer[]): ScriptStep => ({
  kind: 'response',
  bytes: Buffer.concat(packets),
});

const OK = hex('00 00 00 02 00 00 00');
const EOF = hex('fe 00 00 02 00');
const colDef = (name: string) =>
  Buffer.concat([
    hex('03 646566 00 00 00'),
    Buffer.of(name.length),
    Buffer.from(name),
    hex('00 0c 3f00 01000000 03 0000 00 0000'),
  ]);
const prepareOk = (id: number, columns: number, params: number) =>
  Buffer.concat([Buffer.of(0, id, 0, 0, 0, columns, 0, params, 0, 0, 0, 0)]);

describe('MysqlStitcher', () => {
  it('without the handshake, tells the EOF after definitions from the OK that ends the rows by size', () => {
    const s = new MysqlStitcher();
    const out = runScript(s, [
      req(packet(0, cmd(0x16, 'SELECT ?, ?'))),
      resp(
        packet(1, prepareOk(5, 1, 2)),
        packet(2, colDef('?')),
        packet(3, colDef('?')),
        packet(4, EOF),
        packet(5, colDef('a')),
        packet(6, EOF),
      ),
      req(packet(0, hex('17 05000000 00 01000000 00 01 0100 0380 07 ffffffff'))),
      resp(
        packet(1, hex('01')),
        packet(2, colDef('a')),
        packet(3, EOF),
        packet(4, hex('00 00 07')),
        packet(5, EOF),
      ),
      req(packet(0, cmd(0x03, 'SELECT 1'))),
      resp(packet(1, hex('01')), packet(2, colDef('a')), packet(3, hex('fe 00 00 02 00 00 00'))),
    ]);
    expect(out.map(mysqlFields)).toEqual([
      [0x16, 'SELECT ?, ?', 2, ''],
      [0x17, 'query=[SELECT ?, ?] params=[7, 4294967295]', 2, 'Resultset rows = 1'],
      [0x03, 'SELECT 1', 2, 'Resultset rows = 0'],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('renders binary parameters as Pixie does: NULL empty, doubles as %f, dates and times as MySQL writes them', () => {
    const s = new MysqlStitcher();
    const out = runScript(s, [
      req(packet(0, cmd(0x16, 'INSERT INTO t VALUES (?, ?, ?, ?, ?)'))),
      resp(
        packet(1, prepareOk(1, 0, 5)),
        ...[2, 3, 4, 5, 6].map((q) => packet(q, colDef('?'))),
        packet(7, EOF),
      ),
      req(
        packet(
          0,
          hex(
            '17 01000000 00 01000000 01 01 0600 0500 0c00 0b00 fe00' +
              '000000000000f83f' + // 1.5
              '0b e807 0c 1f 17 3b 3b 40e20100' + // 2024-12-31 23:59:59.123456
              '08 01 01000000 02 03 04' + // -26:03:04
              '03 616263', // 'abc'
          ),
        ),
      ),
      resp(packet(1, OK)),
      req(
        packet(
          0,
          hex(
            '17 01000000 00 01000000 00 00' +
              '0000000000000440 0b e807 0c 1f 17 3b 3b 00000000 00 03 616263'.replace(/ /g, ''),
          ),
        ),
      ),
      resp(packet(1, OK)),
    ]);
    expect(out.map((r) => r.reqBody)).toEqual([
      'INSERT INTO t VALUES (?, ?, ?, ?, ?)',
      'query=[INSERT INTO t VALUES (?, ?, ?, ?, ?)] params=[, 1.500000, 2024-12-31 23:59:59.123456, -26:03:04, abc]',
      // Bound without types: the types bound last time read it.
      'query=[INSERT INTO t VALUES (?, ?, ?, ?, ?)] params=[, 2.500000, 2024-12-31 23:59:59.000000, 00:00:00, abc]',
    ]);
  });

  it('masks statements, parameters and the values an error quotes', () => {
    const s = new MysqlStitcher({ ...DEFAULT_SQL_LIMITS, maskLiterals: true });
    const out = runScript(s, [
      req(packet(0, cmd(0x03, "INSERT INTO users VALUES (1, 'a@b.c')"))),
      resp(packet(1, hex('ff 2610 23 3233303030'))),
      req(packet(0, cmd(0x03, "UPDATE users SET email = 'x@y.z' WHERE id = 2"))),
      resp(
        packet(
          1,
          Buffer.concat([
            hex('ff 2610 23 3233303030'),
            Buffer.from("Duplicate entry 'x@y.z' for key 'email'"),
          ]),
        ),
      ),
      req(packet(0, cmd(0x16, 'SELECT * FROM users WHERE id = ? AND age > 30'))),
      resp(packet(1, prepareOk(3, 0, 1)), packet(2, colDef('?')), packet(3, EOF)),
      req(packet(0, hex('17 03000000 00 01000000 00 01 0800 2a00000000000000'))),
      resp(packet(1, OK)),
    ]);
    expect(out.map(mysqlFields)).toEqual([
      [0x03, "INSERT INTO users VALUES ('?', '?')", 3, ''],
      [0x03, "UPDATE users SET email = '?' WHERE id = '?'", 3, "Duplicate entry '?' for key '?'"],
      [0x16, "SELECT * FROM users WHERE id = ? AND age > '?'", 2, ''],
      [0x17, "query=[SELECT * FROM users WHERE id = ? AND age > '?'] params=[?]", 2, ''],
    ]);
  });

  it('follows LOCAL INFILE to its OK, and an execute of a statement it never saw prepared', () => {
    const s = new MysqlStitcher();
    const out = runScript(s, [
      req(packet(0, cmd(0x03, "LOAD DATA LOCAL INFILE '/tmp/x' INTO TABLE t"))),
      resp(packet(1, Buffer.concat([hex('fb'), Buffer.from('/tmp/x')]))),
      req(packet(2, Buffer.from('1,a\n2,b\n')), packet(3, Buffer.alloc(0))),
      resp(packet(4, OK)),
      req(packet(0, hex('17 09000000 00 01000000'))),
      resp(packet(1, OK)),
    ]);
    expect(out.map(mysqlFields)).toEqual([
      [0x03, "LOAD DATA LOCAL INFILE '/tmp/x' INTO TABLE t", 2, ''],
      [0x17, 'Execute stmt_id=9.', 2, ''],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('stops at an SSLRequest: the rest of the connection is TLS', () => {
    const s = new MysqlStitcher();
    const greeting = Buffer.concat([
      hex('0a'),
      Buffer.from('10.11.19-MariaDB\0'),
      Buffer.alloc(40, 1),
    ]);
    const sslRequest = Buffer.concat([hex('00 0a 00 00'), hex('00 00 00 01 21'), Buffer.alloc(23)]);
    sslRequest[1] = 0x0a; // CLIENT_SSL | CLIENT_PROTOCOL_41 in the low bytes
    const out = runScript(s, [
      resp(packet(0, greeting)),
      req(packet(1, sslRequest)),
      req(Buffer.from('\x16\x03\x01\x02\x00')),
    ]);
    expect(out).toEqual([]);
    expect(s.opaque()).toBe(true);
  });
});
