import { normalizeMysqlJson, normalizePgsqlJson } from '../../../../shared/common/sql/normalize';
import { BASE_NS, PxlFixture, pxlFixture, records } from '../../../../test/support/pxl';
import {
  PlainRow,
  appendArrow,
  plainRow,
  rowsByTable,
} from '../../../../test/support/protocol-rows';
import { pxlPod, worldConversations } from '../../../../test/support/protocol-world';

const NOW = BASE_NS + 60_000_000_000n;

describe('px.normalize_pgsql and px.normalize_mysql', () => {
  let fx: PxlFixture;
  const rows: Record<string, PlainRow[]> = {};

  beforeAll(async () => {
    fx = await pxlFixture();
    const traffic = rowsByTable(
      worldConversations({
        servers: {
          pgsql_events: { peer: pxlPod(2), port: 5432 },
          mysql_events: { peer: pxlPod(3), port: 3306 },
        },
        clients: [pxlPod(0)],
        startNs: BASE_NS,
        everyNs: 1_000_000_000n,
        rounds: 3,
      }),
    );
    for (const [table, tableRows] of traffic) {
      await appendArrow(fx.store, table, tableRows);
      rows[table] = tableRows.map(plainRow);
    }
  });
  afterAll(() => fx.close());

  it('gives for every captured PostgreSQL request what Pixie’s normalizer gives', async () => {
    const { out } = await fx.run(
      `df = px.DataFrame('pgsql_events', start_time='-5m')
df.n = px.normalize_pgsql(df.req, df.req_cmd)
px.display(df[['req', 'req_cmd', 'n']], 'out')`,
      { now: NOW },
    );
    const want = rows.pgsql_events!.map((r) => ({
      req: r.req,
      req_cmd: r.req_cmd,
      n: normalizePgsqlJson(String(r.req), String(r.req_cmd)),
    }));
    expect(records(out!)).toEqual(want);
    // The captures hold simple queries and executed prepared statements, both normalized.
    const queries = records(out!)
      .map((r) => JSON.parse(String(r.n)) as { query?: string; params?: string[] })
      .filter((n) => n.query !== undefined);
    expect(queries).toContainEqual({
      query: 'SELECT name, email FROM person WHERE id = $1',
      params: ['1'],
    });
    expect(queries).toContainEqual({
      query: 'INSERT INTO person VALUES ($1, $2, $3), ($4, $5, NULL)',
      params: ['1', "'alice'", "'alice@example.com'", '2', "'bob'"],
    });
  });

  it('gives for every captured MySQL request what Pixie’s normalizer gives', async () => {
    const { out } = await fx.run(
      `df = px.DataFrame('mysql_events', start_time='-5m')
df.n = px.normalize_mysql(df.req_body, df.req_cmd)
df.q = px.pluck(df.n, 'query')
px.display(df[['req_body', 'req_cmd', 'n', 'q']], 'out')`,
      { now: NOW },
    );
    const want = rows.mysql_events!.map((r) => {
      const n = normalizeMysqlJson(String(r.req_body), Number(r.req_cmd));
      return {
        req_body: r.req_body,
        req_cmd: BigInt(r.req_cmd!),
        n,
        q: (JSON.parse(n) as { query?: string }).query ?? '',
      };
    });
    expect(records(out!)).toEqual(want);
    expect(want.filter((r) => r.q !== '').length).toBeGreaterThan(3);
  });

  it('answers other commands with Pixie’s error instead of failing the query', async () => {
    const { out } = await fx.run(
      `df = px.DataFrame('pgsql_events', start_time='-5m')
df = df[df.req_cmd == 'Parse']
df.e = px.pluck(px.normalize_pgsql(df.req, df.req_cmd), 'error')
px.display(df[['e']], 'out')`,
      { now: NOW },
    );
    const errors = records(out!).map((r) => r.e);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(["cmd_code must be one of 'Query' or 'Execute'"]));
  });

  it('refuses a command of the wrong type, naming the function', () => {
    expect(() =>
      fx.engine.compile(`df = px.DataFrame('mysql_events')
df.n = px.normalize_mysql(df.req_body, 'Query')
px.display(df)`),
    ).toThrow(/normalize_mysql/);
  });
});
