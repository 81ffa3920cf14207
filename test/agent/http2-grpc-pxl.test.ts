import { join } from 'node:path';
import { decodeArrowStream } from '../../gateway/src/ingest/arrow';
import { HTTP_EVENTS } from '../../shared/contract/schemas';
import { http2EventRow } from '../../agent/src/protocols/http2/http2-rows';
import { Http2Stitcher } from '../../agent/src/protocols/http2/http2-stitcher';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { TableColumns } from '../../agent/src/transport/columns';
import { readCapture } from '../support/capture-proxy';
import { runScript } from '../support/http-script';
import { PxlFixture, pxlFixture, records } from '../support/pxl';

const NOW = 1_800_000_000_000_000_000n;
const TESTDATA = join(__dirname, '..', '..', 'agent', 'src', 'protocols', 'http2', 'testdata');

describe('gRPC calls in http_events, read back with PxL', () => {
  let fx: PxlFixture;

  beforeAll(async () => {
    fx = await pxlFixture();
    // The captured Python gRPC conversation, as the agent would send it: rows, Arrow, ingest.
    const exchanges = runScript(
      new Http2Stitcher(),
      readCapture(join(TESTDATA, 'grpc-python.jsonl')),
    );
    const endpoint = {
      upid: { high: (1n << 32n) | 4242n, low: 77n },
      role: 2,
      localAddr: '127.0.0.1',
      localPort: 50051,
      remoteAddr: '127.0.0.1',
      remotePort: 41000,
    };
    const clock = { fromMonotonic: (ns: number) => NOW - 10_000_000_000n + BigInt(ns) };
    const columns = new TableColumns(HTTP_EVENTS);
    for (const x of exchanges) columns.append(http2EventRow(x, endpoint, clock));
    const ipc = new ArrowStreamEncoder(HTTP_EVENTS).encode(columns);
    await fx.store.append(
      'http_events',
      decodeArrowStream(fx.store.registry.get('http_events'), ipc),
    );
  });
  afterAll(() => fx.close());

  it("px.pluck(df.resp_headers, 'grpc-status') reads each call's status", async () => {
    const { calls } = await fx.run(
      `import px
df = px.DataFrame('http_events', start_time='-1m')
df = df[df.major_version == 2]
df.grpc_status = px.pluck(df.resp_headers, 'grpc-status')
df.grpc_message = px.pluck(df.resp_headers, 'grpc-message')
px.display(df[['req_path', 'content_type', 'grpc_status', 'grpc_message']], 'calls')
`,
      { now: NOW },
    );
    const unary = (status: string, message = '') => ({
      req_path: '/pxgate.test.Greeter/SayHello',
      content_type: 2n,
      grpc_status: status,
      grpc_message: message,
    });
    expect(records(calls!)).toEqual([
      unary('0'),
      unary('0'),
      unary('5', 'no such user: fail-2'),
      unary('0'),
      unary('0'),
      unary('5', 'no such user: fail-5'),
      { ...unary('0'), req_path: '/pxgate.test.Greeter/ListGreetings' },
      { ...unary('12', 'Method not found!'), req_path: '/pxgate.test.Greeter/Missing' },
    ]);
  });
});
