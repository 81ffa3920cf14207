import { HttpColumns, fmt, machine } from './_support';
import { MIN_ERRORS, NOW, ROUNDS, ROWS, loadData, raceScripts } from './_pxl';

type Out = unknown[];

/** An http_events row as a TypeScript program reading the API would hold it. */
interface HttpRow {
  time_: bigint;
  upid: string;
  req_method: string;
  req_path: string;
  resp_status: number;
  latency: number;
  resp_body_size: number;
}

function rowsOf(c: HttpColumns): HttpRow[] {
  const view = new DataView(c.upid.buffer);
  return Array.from({ length: c.time_.length }, (_, i) => {
    const high = view.getBigUint64(16 * i + 8, true);
    return {
      time_: c.time_[i]!,
      upid: `${high >> 32n}:${high & 0xffffffffn}:${view.getBigUint64(16 * i, true)}`,
      req_method: c.req_method[i]!,
      req_path: c.req_path[i]!,
      resp_status: Number(c.resp_status[i]),
      latency: Number(c.latency[i]),
      resp_body_size: Number(c.resp_body_size[i]),
    };
  });
}

const FROM = NOW - 600_000_000_000n;
const WINDOW = 10_000_000_000n;

function groupBy<K>(rows: HttpRow[], key: (r: HttpRow) => K): Map<K, HttpRow[]> {
  const groups = new Map<K, HttpRow[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

function quantileCont(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The five scripts written the straightforward way over an array of rows. */
const JS: Record<string, (rows: HttpRow[]) => Out[]> = {
  window_stats(rows) {
    const recent = rows.filter((r) => r.time_ >= FROM);
    const groups = groupBy(recent, (r) => `${r.time_ - (r.time_ % WINDOW)}|${r.req_method}`);
    return [...groups.values()]
      .map((g) => {
        const lat = g.map((r) => r.latency).sort((a, b) => a - b);
        return [
          g[0]!.time_ - (g[0]!.time_ % WINDOW),
          g[0]!.req_method,
          g.length,
          lat.reduce((s, x) => s + x, 0) / g.length,
          g.filter((r) => r.resp_status >= 400).length / g.length,
          quantileCont(lat, 0.5),
          quantileCont(lat, 0.99),
        ];
      })
      .sort((a, b) =>
        a[0] === b[0]
          ? byText(a[1] as string, b[1] as string)
          : (a[0] as bigint) < (b[0] as bigint)
            ? -1
            : 1,
      );
  },
  slow_requests(rows) {
    return rows
      .filter((r) => r.time_ >= FROM && r.latency > 4_900_000 && r.req_path.includes('cart'))
      .slice(0, 100)
      .map((r) => [r.time_, r.req_method, r.req_path, r.resp_status, r.latency]);
  },
  errors_by_path(rows) {
    const errors = rows.filter((r) => r.time_ >= FROM && r.resp_status >= 400);
    return [...groupBy(errors, (r) => `${r.req_path}|${r.resp_status}`).values()]
      .filter((g) => g.length >= MIN_ERRORS)
      .map((g) => [
        g[0]!.req_path,
        g[0]!.resp_status,
        g.length,
        Math.max(...g.map((r) => r.latency)),
      ])
      .sort(
        (a, b) => byText(a[0] as string, b[0] as string) || (a[1] as number) - (b[1] as number),
      );
  },
  process_throughput(rows) {
    const recent = rows.filter((r) => r.time_ >= FROM);
    return [...groupBy(recent, (r) => r.upid).values()]
      .map((g) => {
        const times = g.map((r) => r.time_);
        const first = times.reduce((a, b) => (b < a ? b : a));
        const last = times.reduce((a, b) => (b > a ? b : a));
        const [asid, pid, start] = g[0]!.upid.split(':').map(Number) as [number, number, number];
        return {
          key: [asid, pid, start],
          row: [
            pid,
            g.length,
            g.reduce((s, r) => s + r.resp_body_size, 0),
            g.length / (Number(last - first) / 1e9),
          ],
        };
      })
      .sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!)
      .map((x) => x.row);
  },
  error_ratio(rows) {
    const recent = rows.filter((r) => r.time_ >= FROM);
    const total = groupBy(recent, (r) => r.req_method);
    const errors = groupBy(
      recent.filter((r) => r.resp_status >= 500),
      (r) => r.req_method,
    );
    return [...total].map(([m, g]) => {
      const e = errors.get(m)?.length ?? 0;
      return [m, g.length, e, e / g.length];
    });
  },
};

/**
 * The same five scripts as pxl-vs-sql, each against a straightforward TypeScript computation
 * over an array of the same rows (as objects, the way a program reading the API holds them,
 * built before timing), in the same process.
 */
async function main(): Promise<void> {
  console.log(`pxl-vs-js: ${fmt(ROWS)} http_events rows, median of ${ROUNDS} rounds; ${machine()}`);
  const data = await loadData();
  const rows = rowsOf(data.columns);
  try {
    await raceScripts('pxl-vs-js', 'TypeScript', data.engine, (s) => () => JS[s.name]!(rows));
  } finally {
    data.engine.shutdown();
    await data.store.shutdown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
