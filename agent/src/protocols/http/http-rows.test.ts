import { runScript } from '../../../../test/support/http-script';
import { httpEventRow } from './http-rows';
import { HttpStitcher } from './http-stitcher';

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
    const row = httpEventRow(x!, endpoint, clock);
    expect(row).toEqual({
      time_: 1_700_000_000_000_005_000n,
      upid: endpoint.upid,
      remote_addr: '10.0.0.2',
      remote_port: 51000,
      local_addr: '10.0.0.1',
      local_port: 8080,
      trace_role: 2,
      major_version: 1,
      minor_version: 1,
      content_type: 1,
      req_headers: '{"Host":"svc","X-Q":"say \\"hi\\"\\\\","Content-Length":"2"}',
      req_method: 'POST',
      req_path: '/a?b=1',
      req_body: '{}',
      req_body_size: 2,
      resp_headers:
        '{"Content-Type":"application/json","Set-Cookie":"a=1, b=2","Content-Length":"7"}',
      resp_status: 201,
      resp_message: 'Created',
      resp_body: '{"k":1}',
      resp_body_size: 7,
      latency: 4000,
    });
    expect(JSON.parse(row.req_headers as string)).toEqual({
      Host: 'svc',
      'X-Q': 'say "hi"\\',
      'Content-Length': '2',
    });
  });
});
