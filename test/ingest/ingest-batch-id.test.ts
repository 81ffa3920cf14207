import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { TestGateway, postJson, startTestGateway } from '../support/gateway';
import { metricValue } from '../support/metrics';

describe('ingest with a batch id (X-Pxgate-Batch-Id)', () => {
  let gw: TestGateway;
  beforeEach(async () => (gw = await startTestGateway()));
  afterEach(() => gw.close());

  const arrow = () =>
    Buffer.from(
      tableToIPC(tableFromArrays({ conn_open: BigInt64Array.from([1n, 2n, 3n]) }), 'stream'),
    );
  const post = (batchId: string) =>
    fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.apache.arrow.stream',
        'x-pxgate-table': 'conn_stats',
        'x-pxgate-batch-id': batchId,
      },
      body: arrow(),
    });

  it('answers a batch sent again with the first answer, storing its rows once', async () => {
    const first = await post('3f0e2d4c-agent-a');
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const again = await post('3f0e2d4c-agent-a');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(firstBody);
    const stats = gw.gateway.store.stats().find((t) => t.schema.name === 'conn_stats')!;
    expect(stats.rows).toBe(3);
    expect(
      await metricValue(gw.gateway.metrics.registry, 'pxgate_ingest_rows_total', {
        table: 'conn_stats',
      }),
    ).toBe(3);
  });

  it('refuses a malformed batch id, naming the header, and counts the batch as rejected', async () => {
    const res = await postJson(
      `${gw.url}/v1/ingest`,
      { table: 'conn_stats', rows: [{}] },
      { 'x-pxgate-batch-id': 'not ok/../x' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^x-pxgate-batch-id must be 1 to 128 letters/);
    expect(gw.gateway.store.stats().find((t) => t.schema.name === 'conn_stats')!.rows).toBe(0);
    expect(
      await metricValue(gw.gateway.metrics.registry, 'pxgate_ingest_rejected_batches_total', {
        reason: 'invalid',
      }),
    ).toBe(1);
  });
});
