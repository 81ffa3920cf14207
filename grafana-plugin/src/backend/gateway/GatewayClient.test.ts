import http from 'http';
import { AddressInfo } from 'net';

import { ingest, startTestGateway, TestGateway } from '../../../../test/support/gateway';
import { ARROW_STREAM_TYPE } from '../../../../shared/contract/query-arrow';
import { columnCells } from '../../data/columnCells';
import { AnswerTable, GatewayTable } from '../../types/gateway';
import { GatewayClient } from './GatewayClient';

const T0 = 1_800_000_000_000_000_000n;
const SCRIPT = {
  script: `import px
df = px.DataFrame('http_events')
px.display(df[['time_', 'req_path', 'latency']], 't')`,
};

/**
 * A loopback proxy in front of the gateway that plays a gateway from before Arrow answers: it
 * drops the Accept header, so the gateway answers JSON, or refuses Arrow with `refuse`.
 */
async function olderGateway(target: string, refuse?: number) {
  const accepts: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const accept = String(req.headers.accept);
      accepts.push(accept);
      if (refuse && accept.startsWith(ARROW_STREAM_TYPE)) {
        res.writeHead(refuse, { 'content-type': 'text/plain' }).end('not acceptable');
        return;
      }
      const answer = await fetch(`${target}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type')! });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A table's columns as cells, whichever answer it came in. */
function cells(t: AnswerTable): unknown[][] {
  return t.columns.map((_c, i) =>
    'rows' in t ? t.rows.map((r) => r[i] ?? null) : columnCells(t, i),
  );
}

describe('GatewayClient.queryColumns', () => {
  let gw: TestGateway;
  let json: GatewayTable;

  beforeAll(async () => {
    gw = await startTestGateway();
    await ingest(
      gw.url,
      'http_events',
      ['/a', '/caf\u00e9', '/\u{1f600}'].map((req_path, i) => ({
        time_: String(T0 + BigInt(i)),
        req_path,
        latency: 1000 * (i + 1),
      })),
    );
    json = (await new GatewayClient({ url: gw.url }).query(SCRIPT)).tables[0]!;
  });
  afterAll(() => gw.close());

  it("asks a gateway for Arrow and reads its columns, holding the JSON answer's cells", async () => {
    const { tables } = await new GatewayClient({ url: gw.url }).queryColumns(SCRIPT);
    const t = tables[0]!;
    expect('rows' in t).toBe(false);
    expect(t.columns).toEqual(json.columns);
    expect(cells(t)).toEqual(cells(json));
    expect(json.rows).toHaveLength(3);
  });

  it('takes the JSON answer of a gateway from before Arrow answers', async () => {
    const older = await olderGateway(gw.url);
    try {
      const { tables } = await new GatewayClient({ url: older.url }).queryColumns(SCRIPT);
      expect(tables).toEqual([json]);
      expect(older.accepts).toEqual([`${ARROW_STREAM_TYPE}, application/json;q=0.5`]);
    } finally {
      await older.close();
    }
  });

  it.each([406, 415])('asks again for JSON when Arrow is refused with %i', async (status) => {
    const older = await olderGateway(gw.url, status);
    try {
      const { tables } = await new GatewayClient({ url: older.url }).queryColumns(SCRIPT);
      expect(tables).toEqual([json]);
      expect(older.accepts).toEqual([
        `${ARROW_STREAM_TYPE}, application/json;q=0.5`,
        'application/json',
      ]);
    } finally {
      await older.close();
    }
  });

  it('calls a broken Arrow answer an unexpected answer from the gateway URL (502)', async () => {
    const server = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': ARROW_STREAM_TYPE })
        .end(Buffer.from('ARROW1 not really'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(new GatewayClient({ url }).queryColumns(SCRIPT)).rejects.toMatchObject({
        kind: 'not_pxgate',
        status: 502,
        message: expect.stringMatching(
          /^unexpected answer from the gateway URL: a broken Arrow answer \(/,
        ),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
