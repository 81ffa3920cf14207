/** PostgreSQL v3 messages built by hand, for parser tests (the layout of the protocol docs). */

export const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s), Buffer.of(0)]);

export function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

export function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A tagged message: tag, length (counting itself), payload. */
export function msg(tag: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([Buffer.from(tag, 'latin1'), i32(body.length + 4), body]);
}

/** An untagged client message: length, code, payload. */
export function untagged(code: number, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat([i32(code), ...payload]);
  return Buffer.concat([i32(body.length + 4), body]);
}

export const startup = (user: string) =>
  untagged(196608, cstr('user'), cstr(user), cstr('database'), cstr(user), Buffer.of(0));
export const sslRequest = () => untagged(80877103);

export const query = (sql: string) => msg('Q', cstr(sql));
export const parse = (name: string, sql: string, oids: number[] = []) =>
  msg('P', cstr(name), cstr(sql), i16(oids.length), ...oids.map(i32));

/** Bind with text parameters (null for NULL) and result format codes. */
export function bind(
  portal: string,
  stmt: string,
  params: (string | null)[],
  results: number[] = [],
) {
  return msg(
    'B',
    cstr(portal),
    cstr(stmt),
    i16(0),
    i16(params.length),
    ...params.map((p) =>
      p === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(p)), Buffer.from(p)]),
    ),
    i16(results.length),
    ...results.map(i16),
  );
}

export const describe = (type: 'S' | 'P', name: string) => msg('D', Buffer.from(type), cstr(name));
export const execute = (portal: string, maxRows = 0) => msg('E', cstr(portal), i32(maxRows));
export const close = (type: 'S' | 'P', name: string) => msg('C', Buffer.from(type), cstr(name));
export const sync = () => msg('S');

export const authOk = () => msg('R', i32(0));
export const paramStatus = (k: string, v: string) => msg('S', cstr(k), cstr(v));
export const backendKey = () => msg('K', i32(42), i32(7));
export const ready = (status = 'I') => msg('Z', Buffer.from(status));
export const parseComplete = () => msg('1');
export const bindComplete = () => msg('2');
export const closeComplete = () => msg('3');
export const noData = () => msg('n');
export const paramDescription = (oids: number[]) => msg('t', i16(oids.length), ...oids.map(i32));
export const complete = (tag: string) => msg('C', cstr(tag));
export const emptyQuery = () => msg('I');

/** RowDescription of text columns of table oid 16384. */
export function rowDescription(names: string[]): Buffer {
  return msg(
    'T',
    i16(names.length),
    ...names.map((n, i) =>
      Buffer.concat([cstr(n), i32(16384), i16(i + 1), i32(25), i16(-1), i32(-1), i16(0)]),
    ),
  );
}

export function dataRow(values: (string | null)[]): Buffer {
  return msg(
    'D',
    i16(values.length),
    ...values.map((v) =>
      v === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]),
    ),
  );
}

/** ErrorResponse with fields in order, e.g. [['S','ERROR'],['C','42P01'],['M','...']]. */
export function error(fields: [string, string][]): Buffer {
  return msg(
    'E',
    ...fields.map(([c, v]) => Buffer.concat([Buffer.from(c), cstr(v)])),
    Buffer.of(0),
  );
}
