import { join } from 'node:path';
import { HTTP_EVENTS } from '../../../../shared/contract/schemas';
import { readCapture } from '../../../../test/support/capture-proxy';
import { runScript } from '../../../../test/support/http-script';
import { Row } from '../../transport/row';
import { writtenText } from '../../../../test/support/rows';
import { TracedEndpoint } from '../common-columns';
import {
  clientStart,
  headers,
  indexed,
  literal,
  settings,
} from '../../../../test/support/http2-frames';
import { HeaderMask } from '../http/header-mask';
import { http2EventRow } from './http2-rows';
import { Http2Stitcher } from './http2-stitcher';

const endpoint: TracedEndpoint = {
  upid: { high: 4242n, low: 77n },
  role: 2,
  localAddr: '10.0.0.1',
  localPort: 50051,
  remoteAddr: '10.0.0.2',
  remotePort: 41000,
};
const clock = { fromMonotonic: (ns: number) => 1_700_000_000_000_000_000n + BigInt(ns) };

function rows(name: string, ep = endpoint): Row[] {
  const out = runScript(
    new Http2Stitcher(),
    readCapture(join(__dirname, 'testdata', `${name}.jsonl`)),
  );
  return out.map((x) => http2EventRow(x, ep, clock));
}

/** The row with its text values as strings, header JSON parsed. */
function textual(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const s = typeof v === 'object' && 'writeUtf8' in v ? v.toString() : v;
    out[k] = k.endsWith('_headers') ? JSON.parse(s as string) : s;
  }
  return out;
}

const written = (row: Row) => writtenText(HTTP_EVENTS, row);

describe('http2EventRow', () => {
  it("fills Pixie's columns for a gRPC call: path, content_type 2, status merged from the trailers", () => {
    const [first] = rows('grpc-python');
    const row = textual(first!);
    const { time_, latency, req_headers, resp_headers, ...rest } = row;
    expect(rest).toEqual({
      upid: endpoint.upid,
      remote_addr: '10.0.0.2',
      remote_port: 41000,
      local_addr: '10.0.0.1',
      local_port: 50051,
      trace_role: 2,
      encrypted: false,
      major_version: 2,
      minor_version: 0,
      content_type: 2,
      req_method: 'POST',
      req_path: '/pxgate.test.Greeter/SayHello',
      req_body: '1: "user-0"',
      req_body_size: 13,
      resp_status: 200,
      resp_message: 'OK',
      resp_body: '1: "Hello user-0"',
      resp_body_size: 19,
    });
    expect(time_).toBeGreaterThan(1_700_000_000_000_000_000n);
    expect(latency).toBeGreaterThan(0);
    expect(Object.keys(req_headers as object)).toEqual(
      [...Object.keys(req_headers as object)].sort(),
    );
    expect(req_headers).toMatchObject({
      ':method': 'POST',
      ':path': '/pxgate.test.Greeter/SayHello',
      ':scheme': 'http',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    expect(resp_headers).toEqual({
      ':status': '200',
      'content-type': 'application/grpc',
      'grpc-accept-encoding': 'identity, deflate, gzip',
      'grpc-status': '0',
    });
    expect(written(first!)).toMatchObject({
      resp_body: '1: "Hello user-0"',
      req_path: rest.req_path,
    });
    expect(JSON.parse(written(first!).resp_headers!)).toEqual(resp_headers);
  });

  it('gives every call of the conversation its grpc-status and grpc-message, Trailers-Only too', () => {
    const all = rows('grpc-python').map(textual);
    expect(
      all.map((r) => {
        const h = r.resp_headers as Record<string, string>;
        return [r.req_path, h['grpc-status'], h['grpc-message']];
      }),
    ).toEqual([
      ['/pxgate.test.Greeter/SayHello', '0', undefined],
      ['/pxgate.test.Greeter/SayHello', '0', undefined],
      ['/pxgate.test.Greeter/SayHello', '5', 'no such user: fail-2'],
      ['/pxgate.test.Greeter/SayHello', '0', undefined],
      ['/pxgate.test.Greeter/SayHello', '0', undefined],
      ['/pxgate.test.Greeter/SayHello', '5', 'no such user: fail-5'],
      ['/pxgate.test.Greeter/ListGreetings', '0', undefined],
      ['/pxgate.test.Greeter/Missing', '12', 'Method not found!'],
    ]);
    expect(all[6]!.resp_body).toBe(
      [0, 1, 2].map((i) => `1: "Greeting ${i} for carol"\n2: ${i}`).join('\n'),
    );
    expect(all[2]!.resp_body).toBe('');
  });

  it('fills a plain HTTP/2 exchange like an HTTP/1 one, with major_version 2', () => {
    const all = rows('node-h2c', { ...endpoint, encrypted: true }).map(textual);
    expect(all[1]).toMatchObject({
      encrypted: true,
      major_version: 2,
      minor_version: 0,
      content_type: 1,
      req_method: 'POST',
      req_path: '/api/orders',
      req_body: '{"item":"a1","qty":2}',
      req_body_size: 21,
      resp_status: 201,
      resp_message: 'Created',
      resp_body: '{"method":"POST","received":21}',
    });
    expect(all[4]).toMatchObject({ resp_status: 404, resp_message: 'Not Found', content_type: 0 });
    expect(all[5]!.resp_headers).toMatchObject({ 'x-checksum': 'c0ffee', ':status': '200' });
  });

  it('masks credentials in HTTP/2 headers as in HTTP/1 ones, cookies joined first', () => {
    const block = Buffer.concat([
      indexed(2),
      literal(4, '/account'),
      literal('authorization', 'Bearer secret-1'),
      literal('cookie', 'a=secret-2'),
      literal('cookie', 'b=secret-3'),
      literal('x-api-key', 'k3y'),
    ]);
    const [x] = runScript(new Http2Stitcher(), [
      {
        kind: 'request',
        bytes: Buffer.concat([clientStart(), headers(1, block, { endStream: true })]),
      },
      {
        kind: 'response',
        bytes: Buffer.concat([
          settings([]),
          headers(1, Buffer.concat([indexed(8), literal(55, 'sid=secret-4')]), { endStream: true }),
        ]),
      },
    ]);
    const row = http2EventRow(
      x!,
      endpoint,
      clock,
      HeaderMask.of({ maskHeaders: ['X-Api-Key'], keepSensitiveHeaders: false }),
    );
    const all = `${row.req_headers!.toString()} ${row.resp_headers!.toString()}`;
    expect(all).not.toMatch(/secret|k3y/);
    expect(JSON.parse(row.req_headers!.toString())).toEqual({
      ':method': 'GET',
      ':path': '/account',
      authorization: '<REDACTED>',
      cookie: '<REDACTED>',
      'x-api-key': '<REDACTED>',
    });
    expect(JSON.parse(written(row).resp_headers!)).toEqual({
      ':status': '200',
      'set-cookie': '<REDACTED>',
    });
  });
});
