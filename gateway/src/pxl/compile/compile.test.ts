import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PxlFixture, pxlFixture } from '../../../../test/support/pxl';

const DIR = join(__dirname, 'testdata');
const NOW = 1_800_000_000_000_000_000n;

/**
 * Golden SQL: each testdata/NAME.pxl compiles to exactly testdata/NAME.sql (statements and
 * their parameters). Run with UPDATE_GOLDEN=1 to rewrite the .sql files after a deliberate
 * change, and read the diff.
 */
function golden(compiled: readonly { sql: string; params: readonly unknown[] }[]): string {
  // Clauses start lines, and so does the statement after its common table expressions.
  const lines = (sql: string) =>
    sql.replace(
      / (FROM|WHERE|GROUP BY|ORDER BY|LIMIT|LEFT JOIN|JOIN|UNION ALL) |(?<=\)) (?=SELECT )/g,
      (_m, clause: string | undefined) => (clause ? `\n${clause} ` : '\n'),
    );
  return compiled
    .map(
      (c) =>
        `${lines(c.sql)}\n-- params: ${JSON.stringify(c.params, (_k, v) =>
          typeof v === 'bigint' ? `${v}n` : v,
        )}\n`,
    )
    .join('\n');
}

describe('compiled SQL', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
  });
  afterAll(() => fx.close());

  const cases = readdirSync(DIR)
    .filter((f) => f.endsWith('.pxl'))
    .map((f) => f.slice(0, -4));

  it.each(cases)('%s compiles to its golden SQL', (name) => {
    const script = readFileSync(join(DIR, `${name}.pxl`), 'utf8');
    const got = golden(fx.engine.compile(script, { now: NOW }).tables);
    const file = join(DIR, `${name}.sql`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
    expect(got).toBe(readFileSync(file, 'utf8'));
  });

  it('takes a column named like a parameter reference for a name', async () => {
    await fx.insert('http_events', [
      { time_: String(NOW - 1_000_000_000n), req_path: '/a', latency: 5 },
    ]);
    for (const name of ['CAST($9 AS x', 'CAST($1 AS x', "it's CAST($2 AS y"]) {
      const out = await fx.run(
        `import px
df = px.DataFrame('http_events', start_time='-5m')
df[${JSON.stringify(name)}] = df.latency + 7
df.y = px.contains(df.req_path, '/a')
px.display(df[[${JSON.stringify(name)}, 'y']], 'out')`,
        { now: NOW },
      );
      expect(out.out!.columns.map((c) => c.name)).toEqual([name, 'y']);
      expect(out.out!.rows).toEqual([[7n + 5n, true]]);
    }
  });

  it.each(cases)('%s runs as compiled', async (name) => {
    const script = readFileSync(join(DIR, `${name}.pxl`), 'utf8');
    await expect(fx.engine.run(script, { now: NOW })).resolves.toBeDefined();
  });
});
