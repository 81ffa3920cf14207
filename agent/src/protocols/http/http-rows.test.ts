import fc from 'fast-check';
import { runScript } from '../../../../test/support/http-script';
import { Row } from '../../transport/row';
import { writtenText } from '../../../../test/support/rows';
import { HTTP_EVENTS } from '../../../../shared/contract/schemas';
import { HeaderMask } from './header-mask';
import { httpEventRow } from './http-rows';
import { HttpStitcher } from './http-stitcher';

/** The row with its text values as strings. */
function textual(row: Row): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'object' && 'writeUtf8' in v ? v.toString() : v,
    ]),
  );
}

const written = (row: Row) => writtenText(HTTP_EVENTS, row);

function exchange(reqHead: string, respHead: string, respBody: Uint8Array = new Uint8Array()) {
  const [x] = runScript(new HttpStitcher(), [
    { kind: 'request', bytes: `${reqHead}\r\n` },
    {
      kind: 'response',
      bytes: `${respHead}Content-Length: ${respBody.length}\r\n\r\n${Buffer.from(respBody).toString('latin1')}`,
    },
  ]);
  return httpEventRow(x!, endpoint, clock);
}

const endpoint = {
  upid: { high: 4242n, low: 77n },
  role: 2,
  localAddr: '10.0.0.1',
  localPort: 8080,
  remoteAddr: '10.0.0.2',
  remotePort: 51000,
};
const clock = { fromMonotonic: (ns: number) => 1_700_000_000_000_000_000n + BigInt(ns) };

describe('httpEventRow', () => {
  it("fills Pixie's columns, with headers as JSON and times on the wall clock", () => {
    const [x] = runScript(new HttpStitcher(), [
      {
        kind: 'request',
        bytes:
          'POST /a?b=1 HTTP/1.1\r\nHost: svc\r\nX-Q: say "hi"\\\r\nContent-Length: 2\r\n\r\n{}',
        ts: 1000,
      },
      {
        kind: 'response',
        bytes:
          'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 7\r\n\r\n{"k":1}',
        ts: 5000,
      },
    ]);
    const row = textual(httpEventRow(x!, endpoint, clock));
    expect(row).toEqual({
      time_: 1_700_000_000_000_005_000n,
      upid: endpoint.upid,
      remote_addr: '10.0.0.2',
      remote_port: 51000,
      local_addr: '10.0.0.1',
      local_port: 8080,
      trace_role: 2,
      encrypted: false,
      major_version: 1,
      minor_version: 1,
      content_type: 1,
      req_headers: '{"Host":"svc","X-Q":"say \\"hi\\"\\\\","Content-Length":"2"}',
      req_method: 'POST',
      req_path: '/a?b=1',
      req_body: '{}',
      req_body_size: 2,
      resp_headers:
        '{"Content-Type":"application/json","Set-Cookie":"<REDACTED>, <REDACTED>","Content-Length":"7"}',
      resp_status: 201,
      resp_message: 'Created',
      resp_body: '{"k":1}',
      resp_body_size: 7,
      latency: 4000,
    });
    expect(written(httpEventRow(x!, endpoint, clock))).toMatchObject({
      req_headers: row.req_headers,
      resp_headers: row.resp_headers,
      req_body: '{}',
    });
    expect(JSON.parse(row.req_headers as string)).toEqual({
      Host: 'svc',
      'X-Q': 'say "hi"\\',
      'Content-Length': '2',
    });
  });

  it('takes encrypted from the endpoint, false when it does not say', () => {
    const row = exchange('GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n');
    expect(row.encrypted).toBe(false);
    const [x] = runScript(new HttpStitcher(), [
      { kind: 'request', bytes: 'GET / HTTP/1.1\r\n\r\n' },
      { kind: 'response', bytes: 'HTTP/1.1 204 No Content\r\n\r\n' },
    ]);
    expect(httpEventRow(x!, { ...endpoint, encrypted: true }, clock).encrypted).toBe(true);
  });

  it('writes header JSON exactly as JSON.stringify would, for any latin1 bytes, masking credentials', () => {
    const text = fc
      .array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 })
      .map((cs) => String.fromCharCode(...cs.filter((c) => c !== 0x0a && c !== 0x0d)).trim());
    const name = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/),
      fc.constantFrom('Authorization', 'COOKIE', 'set-cookie', 'Proxy-Authorization', 'X-Api-Key'),
    );
    // Each mask with the lower-case names it should hide, spelled out independently of it.
    const masks = fc.constantFrom<[HeaderMask, string[]]>(
      [HeaderMask.DEFAULT, ['authorization', 'cookie', 'set-cookie', 'proxy-authorization']],
      [HeaderMask.of({ maskHeaders: ['X-API-Key'], keepSensitiveHeaders: true }), ['x-api-key']],
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, text), { maxLength: 6 }),
        masks,
        (fields, [mask, hidden]) => {
          const head = fields.map(([n, v]) => `${n}: ${v}\r\n`).join('');
          const [x] = runScript(new HttpStitcher(), [
            { kind: 'request', bytes: `GET / HTTP/1.1\r\n${head}\r\n` },
            { kind: 'response', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
          ]);
          const row = httpEventRow(x!, endpoint, clock, mask);
          const shown = (n: string, v: string) =>
            hidden.includes(n.toLowerCase()) ? '<REDACTED>' : v;
          const merged = new Map<string, string>();
          for (const [n, v] of fields) {
            merged.set(n, merged.has(n) ? `${merged.get(n)}, ${shown(n, v)}` : shown(n, v));
          }
          const json =
            merged.size < fields.length
              ? JSON.stringify(Object.fromEntries(merged))
              : `{${fields.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(shown(n, v))}`).join(',')}}`;
          expect(row.req_headers.toString()).toBe(json);
          expect(written(row).req_headers).toBe(json);
        },
      ),
    );
  });

  it('replaces the values of Authorization, Cookie, Set-Cookie and Proxy-Authorization, in any case', () => {
    const row = exchange(
      'GET / HTTP/1.1\r\nauthorization: Bearer secret-1\r\nCOOKIE: sid=secret-2\r\nProxy-Authorization: Basic c2VjcmV0LTM=\r\nAccept: */*\r\n',
      'HTTP/1.1 200 OK\r\nSet-Cookie: sid=secret-4; HttpOnly\r\n',
    );
    const all = `${row.req_headers.toString()} ${row.resp_headers.toString()}`;
    expect(all).not.toMatch(/secret|c2VjcmV0/);
    expect(JSON.parse(row.req_headers.toString())).toEqual({
      authorization: '<REDACTED>',
      COOKIE: '<REDACTED>',
      'Proxy-Authorization': '<REDACTED>',
      Accept: '*/*',
    });
    expect(JSON.parse(row.resp_headers.toString())).toEqual({
      'Set-Cookie': '<REDACTED>',
      'Content-Length': '0',
    });
    expect(written(row).req_headers).toBe(row.req_headers.toString());
  });

  it('masks the configured headers too, and keeps the sensitive ones only when told to', () => {
    const [x] = runScript(new HttpStitcher(), [
      {
        kind: 'request',
        bytes:
          'GET / HTTP/1.1\r\nAuthorization: Bearer t0k3n\r\nX-Api-Key: k3y\r\nX-Trace: 1\r\n\r\n',
      },
      { kind: 'response', bytes: 'HTTP/1.1 204 No Content\r\n\r\n' },
    ]);
    const headers = (settings: { maskHeaders: string[]; keepSensitiveHeaders: boolean }) =>
      JSON.parse(httpEventRow(x!, endpoint, clock, HeaderMask.of(settings)).req_headers.toString());
    expect(headers({ maskHeaders: ['x-api-key'], keepSensitiveHeaders: false })).toEqual({
      Authorization: '<REDACTED>',
      'X-Api-Key': '<REDACTED>',
      'X-Trace': '1',
    });
    expect(headers({ maskHeaders: ['X-API-KEY'], keepSensitiveHeaders: true })).toEqual({
      Authorization: 'Bearer t0k3n',
      'X-Api-Key': '<REDACTED>',
      'X-Trace': '1',
    });
    expect(headers({ maskHeaders: [], keepSensitiveHeaders: true })).toEqual({
      Authorization: 'Bearer t0k3n',
      'X-Api-Key': 'k3y',
      'X-Trace': '1',
    });
  });

  it('keeps bodies as text: ASCII as it is, other bytes decoded as UTF-8 with U+FFFD', () => {
    const cases: [Uint8Array, string][] = [
      [Buffer.from('{"ok":true}'), '{"ok":true}'],
      [Buffer.from('h\u00e9llo \u{1f600}'), 'h\u00e9llo \u{1f600}'],
      [Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82]), 'a\ufffdb\ufffd'],
    ];
    for (const [body, text] of cases) {
      const row = exchange('GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', body);
      expect(row.resp_body.toString()).toBe(text);
      expect(written(row).resp_body).toBe(text);
    }
  });
});
