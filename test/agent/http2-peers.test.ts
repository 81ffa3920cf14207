import { join } from 'node:path';
import {
  Http2Stitcher,
  DEFAULT_HTTP2_LIMITS,
} from '../../agent/src/protocols/http2/http2-stitcher';
import { Http2Exchange, fieldValue } from '../../agent/src/protocols/http2/http2-stream';
import { grpcStatus } from '../../agent/src/protocols/grpc/grpc-body';
import { readCapture } from '../support/capture-proxy';
import { ScriptStep, runScript } from '../support/http-script';
import {
  CONVERSATIONS,
  Conversation,
  EVICTION_REQUESTS,
  GRPC_UNARY_CALLS,
  record,
} from '../support/http2-conversations';
import { curlHttp2Unavailable, grpcUnavailable } from '../support/http2-peers';
import { RecordedChunk, writeCapture } from '../support/tcp-recorder';
import { describeIfAvailable } from '../support/system';

const TESTDATA = join(__dirname, '..', '..', 'agent', 'src', 'protocols', 'http2', 'testdata');
const LIMITS = { ...DEFAULT_HTTP2_LIMITS, maxHeadBytes: 64 * 1024 };

/** What a conversation's exchanges say, without what changes from run to run (ports, dates). */
function meaning(xs: readonly Http2Exchange[]) {
  return xs.map((x) => ({
    method: fieldValue(x.req.headers, ':method'),
    path: fieldValue(x.req.headers, ':path'),
    status: fieldValue(x.resp.headers, ':status'),
    grpcStatus: grpcStatus(x.resp),
    reqBody: Buffer.from(x.req.body).toString('latin1'),
    respBody: Buffer.from(x.resp.body).toString('latin1'),
    respBodySize: x.resp.bodySize,
  }));
}

function parse(steps: readonly ScriptStep[]) {
  const s = new Http2Stitcher(LIMITS);
  const out = runScript(s, steps);
  return { out, errors: s.errors() };
}

const asSteps = (reads: readonly RecordedChunk[]): ScriptStep[] =>
  reads.map((r) => ({ kind: r.kind, ts: r.ts, bytes: r.data }));

/**
 * Records a conversation of real peers through the proxy and parses it: it must parse without
 * an error to what the committed capture of the same conversation parses to. RECORD_CAPTURES=1
 * rewrites the capture from this run (see testdata/README.md).
 */
async function recordAndCompare(c: Conversation): Promise<Http2Exchange[]> {
  const reads = await record(c);
  if (process.env.RECORD_CAPTURES === '1') writeCapture(join(TESTDATA, `${c.name}.jsonl`), reads);
  const live = parse(asSteps(reads));
  expect(live.errors).toBe(0);
  const committed = readCapture(join(TESTDATA, `${c.name}.jsonl`));
  expect(meaning(live.out)).toEqual(meaning(parse(committed).out));
  return live.out;
}

const byName = (name: string) => CONVERSATIONS.find((c) => c.name === name)!;

describe('HTTP/2 conversations of real peers on loopback, through a recording proxy', () => {
  it('a Node http2 client and server (h2c): every request, interleaved ones too', async () => {
    const out = await recordAndCompare(byName('node-h2c'));
    expect(out.map((x) => fieldValue(x.req.headers, ':path'))).toEqual([
      '/api/items?page=2',
      '/api/orders',
      '/api/fast',
      '/api/slow',
      '/status/404',
      '/api/trailers',
      '/api/orders/7',
    ]);
  });

  it.each(['node-h2c-padded', 'node-h2c-continuation'])('%s', async (name) => {
    expect(await recordAndCompare(byName(name))).toHaveLength(2);
  });

  it('node-h2c-eviction: every request while the encoder evicts', async () => {
    expect(await recordAndCompare(byName('node-h2c-eviction'))).toHaveLength(EVICTION_REQUESTS);
  });
});

describeIfAvailable('HTTP/2 from curl --http2-prior-knowledge', curlHttp2Unavailable(), () => {
  it.each(['curl-h2c-get', 'curl-h2c-post'])('%s', async (name) => {
    expect(await recordAndCompare(byName(name))).toHaveLength(1);
  });
});

describeIfAvailable('gRPC from a Python grpcio client and server', grpcUnavailable(), () => {
  it('each call once, with its method path and grpc-status exact', async () => {
    const out = await recordAndCompare(byName('grpc-python'));
    const unary = Array.from({ length: GRPC_UNARY_CALLS }, (_, i) => [
      '/pxgate.test.Greeter/SayHello',
      i % 3 === 2 ? '5' : '0',
    ]);
    expect(out.map((x) => [fieldValue(x.req.headers, ':path'), grpcStatus(x.resp)])).toEqual([
      ...unary,
      ['/pxgate.test.Greeter/ListGreetings', '0'],
      ['/pxgate.test.Greeter/Missing', '12'],
    ]);
  });
});
