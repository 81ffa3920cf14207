import { Http2Exchange, fieldValue } from '../../agent/src/protocols/http2/http2-stream';

/** The fields of an HTTP/2 exchange that tests compare. */
export function h2summary(x: Http2Exchange) {
  return {
    id: x.streamId,
    method: fieldValue(x.req.headers, ':method'),
    path: fieldValue(x.req.headers, ':path'),
    status: fieldValue(x.resp.headers, ':status'),
    reqBody: Buffer.from(x.req.body).toString('latin1'),
    reqBodySize: x.req.bodySize,
    respBody: Buffer.from(x.resp.body).toString('latin1'),
    respBodySize: x.resp.bodySize,
    trailers: x.resp.trailers.map((f) => `${f.name}: ${f.value}`),
  };
}

/** Method, path and status of each exchange, for short expectations. */
export function shortH2(xs: readonly Http2Exchange[]): (string | undefined)[][] {
  return xs.map((x) => {
    const s = h2summary(x);
    return [s.method, s.path, s.status];
  });
}
