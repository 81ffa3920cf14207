import { BASE_NS, PxlFixture, pxlFixture } from '../../../../test/support/pxl';

const SCRIPT = `import px
df = px.DataFrame('http_events', select=['time_', 'req_path', 'latency'])
px.display(df, 't')`;

/** Paths of one, two, three and four bytes a character (UTF-16 counts the last as two units). */
const PATHS = ['/ascii', '/caf\u00e9', '/\u65e5\u672c', '/\u{1f600}\u{1f601}', ''];

describe('readColumns', () => {
  let fx: PxlFixture;

  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert(
      'http_events',
      Array.from({ length: 3000 }, (_, i) => ({
        time_: String(BASE_NS + BigInt(i)),
        req_path: PATHS[i % PATHS.length]!.repeat(1 + (i % 7)),
        latency: i,
      })),
    );
  });
  afterAll(() => fx.close());

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: Error) => err.message,
    );

  it('passes and fails the result memory cap at exactly the byte count the rows of cells do', async () => {
    const run = (maxResultBytes: number) =>
      outcome(fx.engine.run(SCRIPT, { limits: { maxResultBytes } }));
    // The least cap the rows fit in, by bisection over what the row reader counts.
    let [lo, hi] = [1, 64 * 1024 * 1024];
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await run(mid)) === 'ok') hi = mid;
      else lo = mid + 1;
    }
    const columns = (maxResultBytes: number) =>
      outcome(fx.engine.runColumns(SCRIPT, { limits: { maxResultBytes } }));
    expect(await columns(lo)).toBe('ok');
    expect(await columns(lo - 1)).toBe(await run(lo - 1));
    expect(await columns(lo - 1)).toMatch(/^the results take more than/);
  });

  it('keeps every value of a column across DuckDB chunks, nulls of the cap aside', async () => {
    const got = await fx.engine.runColumns(SCRIPT);
    const want = await fx.engine.run(SCRIPT);
    const t = got.tables[0]!;
    expect(t.length).toBe(3000);
    const latency = new BigInt64Array(
      t.vectors[2]!.data.buffer,
      t.vectors[2]!.data.byteOffset,
      3000,
    );
    const text = Buffer.from(t.vectors[1]!.data);
    const offsets = t.vectors[1]!.offsets!;
    const rows = Array.from({ length: 3000 }, (_, r) => [
      latency[r],
      text.toString('utf8', offsets[r], offsets[r + 1]),
    ]);
    const byLatency = (a: unknown[], b: unknown[]) => Number(a[0]) - Number(b[0]);
    expect(rows.sort(byLatency)).toEqual(
      want.tables[0]!.rows.map((r) => [r[2], r[1]]).sort(byLatency),
    );
  });
});
