import { TestGateway, postJson, startTestGateway } from '../support/gateway';
import { insertMetadata, selectRows } from '../support/metadata';

const proc = (pid: number, extra: Record<string, unknown> = {}) => ({
  upid: `0:${pid}:${pid * 10}`,
  pid,
  start_ticks: pid * 10,
  cmdline: `/usr/bin/server --id ${pid}`,
  hostname: 'node-1',
  container_id: 'a3f1e6c0b2d94e0f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f',
  pod_uid: '0b8f2d3e-1a4c-4b5d-9e6f-7a8b9c0d1e2f',
  start_ns: '1732700000000000000',
  ...extra,
});

describe('POST /v1/metadata/processes', () => {
  let gw: TestGateway;
  const url = () => `${gw.url}/v1/metadata/processes`;
  const rows = () =>
    selectRows(
      gw.gateway.store,
      'SELECT upid::VARCHAR AS upid, asid, pid, start_ticks, cmdline, pod_uid, stop_ns FROM _md_processes ORDER BY pid',
      { json: true },
    );

  beforeEach(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => gw.close());

  it('stores each process under its UPID as a UINT128', async () => {
    const res = await postJson(url(), { processes: [proc(4242), proc(77)] });
    expect(res).toEqual({ status: 200, body: { processes: 2 } });
    expect(await rows()).toEqual([
      {
        upid: String((77n << 64n) | 770n),
        asid: '0',
        pid: '77',
        start_ticks: '770',
        cmdline: '/usr/bin/server --id 77',
        pod_uid: '0b8f2d3e-1a4c-4b5d-9e6f-7a8b9c0d1e2f',
        stop_ns: null,
      },
      expect.objectContaining({ pid: '4242', stop_ns: null }),
    ]);
  });

  it('replaces a process reported again, as when it stops', async () => {
    await postJson(url(), { processes: [proc(4242)] });
    await postJson(url(), { processes: [proc(4242, { stop_ns: '1732700099000000000' })] });
    expect(await rows()).toEqual([
      expect.objectContaining({ pid: '4242', stop_ns: '1732700099000000000' }),
    ]);
  });

  it('refuses a bad batch whole, naming the row and field', async () => {
    const res = await postJson(url(), { processes: [proc(1), proc(2, { pid: -2 })] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^processes\.1\.pid: /);
    const mismatch = await postJson(url(), { processes: [proc(3, { upid: '0:4:30' })] });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toMatch(
      /^processes\.0\.upid: expected "asid:pid:start_ticks"/,
    );
    const unknown = await postJson(url(), { processes: [proc(5, { colour: 'red' })] });
    expect(unknown.status).toBe(400);
    expect(await rows()).toEqual([]);
  });

  it('refuses more processes than one request may carry', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => proc(i + 1));
    const res = await postJson(url(), { processes: many });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/at most 10000/);
  });

  it("resolves a row's process by its UPID alone, also a row stamped before the computed start or after the stop", async () => {
    const start = 1_800_000_000_000_000_000n;
    const stop = start + 60_000_000_000n;
    await postJson(url(), {
      processes: [proc(4242, { start_ns: String(start), stop_ns: String(stop) })],
    });
    // Stamped in the process's first tick (before its start in ticks) and after the scan that
    // noticed its exit, as a last conn_stats row is.
    const times = [start - 5_000_000n, start + 1_000_000_000n, stop + 2_000_000_000n];
    const ingest = await postJson(`${gw.url}/v1/ingest`, {
      table: 'conn_stats',
      rows: times.map((t) => ({ time_: String(t), upid: '0:4242:42420', remote_port: 80 })),
    });
    expect(ingest.status).toBe(200);
    const query = await postJson(`${gw.url}/v1/query`, {
      script: `import px
df = px.DataFrame(table='conn_stats', start_time=0)
df.cmdline = df.ctx['cmdline']
px.display(df[['time_', 'cmdline']], 'rows')`,
    });
    expect(query.status).toBe(200);
    const rows = query.body.tables[0].rows as [number | string, string][];
    expect(rows.map((r) => r[1])).toEqual(times.map(() => '/usr/bin/server --id 4242'));
  });

  it('matches a row to one process even where the table holds a UPID twice: the later one from its start', async () => {
    const upid = String((4242n << 64n) | 42420n);
    const row = (cmdline: string, start: bigint) => ({
      upid,
      asid: 0,
      pid: 4242,
      start_ticks: 42420,
      cmdline,
      hostname: '',
      container_id: '',
      pod_uid: '',
      start_ns: start,
      stop_ns: null,
    });
    const t0 = 1_800_000_000_000_000_000n;
    await insertMetadata(gw.gateway.store, 'processes', [
      row('first', t0),
      row('second', t0 + 10_000_000_000n),
    ]);
    const times = [t0 - 1n, t0 + 5_000_000_000n, t0 + 20_000_000_000n];
    await postJson(`${gw.url}/v1/ingest`, {
      table: 'conn_stats',
      rows: times.map((t) => ({ time_: String(t), upid: '0:4242:42420' })),
    });
    const query = await postJson(`${gw.url}/v1/query`, {
      script: `import px
df = px.DataFrame(table='conn_stats', start_time=0)
df.cmdline = df.ctx['cmdline']
px.display(df[['time_', 'cmdline']], 'rows')`,
    });
    const rows = (query.body.tables[0].rows as [number | string, string][]).sort((a, b) =>
      Number(BigInt(a[0]) - BigInt(b[0])),
    );
    expect(rows.map((r) => r[1])).toEqual(['first', 'first', 'second']);
  });
});
