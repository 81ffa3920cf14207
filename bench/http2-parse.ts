/**
 * http2-parse: requests parsed and turned into http_events rows per second, replaying the
 * captured HTTP/2 conversations (Node http2, a Python grpcio client and server, an HPACK table
 * that evicts) through Http2Stitcher and http2EventRow. The peer is the agent's HTTP/1 parser
 * (HttpStitcher and httpEventRow) on the captured HTTP/1 conversations of the same kind of
 * keep-alive traffic: the ratio says what an HTTP/2 request costs the agent next to an HTTP/1 one
 * (above 1: HTTP/2 is cheaper per request).
 */
import { join } from 'node:path';
import { Clock, Endpoint, httpEventRow } from '../agent/src/protocols/http/http-rows';
import { HttpStitcher } from '../agent/src/protocols/http/http-stitcher';
import { http2EventRow } from '../agent/src/protocols/http2/http2-rows';
import { Http2Stitcher } from '../agent/src/protocols/http2/http2-stitcher';
import { Stitcher } from '../agent/src/protocols/stitcher';
import { TableColumns } from '../agent/src/transport/columns';
import { Row } from '../agent/src/transport/row';
import { HTTP_EVENTS } from '../shared/contract/schemas';
import { readCapture } from '../test/support/capture-proxy';
import { ScriptStep, runScript } from '../test/support/http-script';
import { bench } from './_measure';

const PROTOCOLS = join(__dirname, '..', '..', 'agent', 'src', 'protocols');
const HTTP2 = ['node-h2c', 'grpc-python', 'node-h2c-eviction'];
const HTTP1 = ['node-server', 'node-client', 'python-server', 'python-client'];
/** Requests a round parses on each side: a multiple of both sides' requests per pass (29, 20). */
const REQUESTS = 29 * 20 * 20;

const endpoint: Endpoint = {
  upid: { high: 1n, low: 2n },
  role: 2,
  localAddr: '10.0.0.1',
  localPort: 8080,
  remoteAddr: '10.0.0.2',
  remotePort: 41000,
};
const clock: Clock = { fromMonotonic: (ns) => 1_800_000_000_000_000_000n + BigInt(ns) };

interface Side<X> {
  readonly captures: ScriptStep[][];
  stitcher(): Stitcher<X>;
  row(x: X): Row;
}

const http2: Side<Parameters<typeof http2EventRow>[0]> = {
  captures: HTTP2.map((n) => readCapture(join(PROTOCOLS, 'http2', 'testdata', `${n}.jsonl`))),
  stitcher: () => new Http2Stitcher(),
  row: (x) => http2EventRow(x, endpoint, clock),
};
const http1: Side<Parameters<typeof httpEventRow>[0]> = {
  captures: HTTP1.map((n) => readCapture(join(PROTOCOLS, 'http', 'testdata', `${n}.jsonl`))),
  stitcher: () => new HttpStitcher(),
  row: (x) => httpEventRow(x, endpoint, clock),
};

/**
 * One round: replays the captures, in turn, until `REQUESTS` exchanges became rows appended to
 * http_events columns (the agent's path: text is written straight into the column buffers).
 */
function round<X>(side: Side<X>): () => number {
  const columns = new TableColumns(HTTP_EVENTS);
  return () => {
    let requests = 0;
    while (requests < REQUESTS) {
      for (const steps of side.captures) {
        for (const x of runScript(side.stitcher(), steps)) {
          columns.append(side.row(x));
          if (columns.length === 1024) columns.reset();
          requests++;
        }
      }
    }
    return requests;
  };
}

/** Exchanges one pass over a side's captures gives, with no parse error. */
function pass<X>(side: Side<X>): number {
  let n = 0;
  for (const steps of side.captures) {
    const s = side.stitcher();
    n += runScript(s, steps).length;
    if (s.errors() > 0) throw new Error('a capture did not parse cleanly');
  }
  return n;
}

void bench({
  name: 'http2-parse',
  items: REQUESTS,
  unit: 'requests',
  peerName: 'HTTP/1 parser',
  check: () => {
    const [h2, h1] = [pass(http2), pass(http1)];
    if (REQUESTS % h2 !== 0 || REQUESTS % h1 !== 0) throw new Error(`passes of ${h2} and ${h1}`);
    return `${h2} HTTP/2 and ${h1} HTTP/1 requests a pass, no parse errors; ${REQUESTS} a round`;
  },
  sides: { ours: () => round(http2), peer: () => round(http1) },
});
