import { machine } from './_support';
import { NOW, ROUNDS, ROWS, SCRIPTS, START, fmt, loadData, ms, normalize, race } from './_pxl';
import { HttpColumns } from './_support';

type Row = unknown[];

/** The columns as a TypeScript program would hold them: numbers, strings, times as bigint. */
interface Arrays {
  time: BigInt64Array;
  method: string[];
  path: string[];
  status: Float64Array;
  latency: Float64Array;
  bytes: Float64Array;
  upidHigh: Float64Array;
  upidLow: Float64Array;
}

function arrays(c: HttpColumns): Arrays {
  const n = c.time_.length;
  const view = new DataView(c.upid.buffer);
  return {
    time: c.time_,
    method: c.req_method,
    path: c.req_path,
    status: Float64Array.from(c.resp_status, Number),
    latency: Float64Array.from(c.latency, Number),
    bytes: Float64Array.from(c.resp_body_size, Number),
    upidHigh: Float64Array.from({ length: n }, (_, i) =>
      Number(view.getBigUint64(16 * i + 8, true)),
    ),
    upidLow: Float64Array.from({ length: n }, (_, i) => Number(view.getBigUint64(16 * i, true))),
  };
}

const FROM = NOW - 600_000_000_000n;
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

function quantileCont(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The five scripts as straightforward TypeScript over the arrays. */
const JS: Record<string, (a: Arrays) => Row[]> = {
  window_stats(a) {
    const groups = new Map<
      string,
      { window: bigint; method: string; n: number; sum: number; errors: number; lat: number[] }
    >();
    for (let i = 0; i < a.time.length; i++) {
      const t = a.time[i]!;
      if (t < FROM) continue;
      const window = t - (t % 10_000_000_000n);
      const key = `${window}|${a.method[i]}`;
      let g = groups.get(key);
      if (!g)
        groups.set(key, (g = { window, method: a.method[i]!, n: 0, sum: 0, errors: 0, lat: [] }));
      g.n++;
      g.sum += a.latency[i]!;
      if (a.status[i]! >= 400) g.errors++;
      g.lat.push(a.latency[i]!);
    }
    return [...groups.values()]
      .sort((x, y) =>
        x.window === y.window ? cmp(x.method, y.method) : x.window < y.window ? -1 : 1,
      )
      .map((g) => {
        const sorted = Float64Array.from(g.lat).sort();
        return [
          g.window,
          g.method,
          g.n,
          g.sum / g.n,
          g.errors / g.n,
          quantileCont(sorted, 0.5),
          quantileCont(sorted, 0.99),
        ];
      });
  },
  slow_requests(a) {
    const out: Row[] = [];
    for (let i = 0; i < a.time.length && out.length < 100; i++) {
      if (a.time[i]! >= FROM && a.latency[i]! > 4_900_000 && a.path[i]!.includes('cart')) {
        out.push([a.time[i], a.method[i], a.path[i], a.status[i], a.latency[i]]);
      }
    }
    return out;
  },
  errors_by_path(a) {
    const groups = new Map<string, { path: string; status: number; n: number; worst: number }>();
    for (let i = 0; i < a.time.length; i++) {
      if (a.time[i]! < FROM || a.status[i]! < 400) continue;
      const key = `${a.path[i]}|${a.status[i]}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { path: a.path[i]!, status: a.status[i]!, n: 0, worst: 0 }));
      g.n++;
      g.worst = Math.max(g.worst, a.latency[i]!);
    }
    return [...groups.values()]
      .filter((g) => g.n >= 150)
      .sort((x, y) => cmp(x.path, y.path) || x.status - y.status)
      .map((g) => [g.path, g.status, g.n, g.worst]);
  },
  process_throughput(a) {
    const groups = new Map<
      string,
      { high: number; low: number; n: number; bytes: number; first: bigint; last: bigint }
    >();
    for (let i = 0; i < a.time.length; i++) {
      const t = a.time[i]!;
      if (t < FROM) continue;
      const key = `${a.upidHigh[i]}:${a.upidLow[i]}`;
      let g = groups.get(key);
      if (!g)
        groups.set(
          key,
          (g = { high: a.upidHigh[i]!, low: a.upidLow[i]!, n: 0, bytes: 0, first: t, last: t }),
        );
      g.n++;
      g.bytes += a.bytes[i]!;
      if (t < g.first) g.first = t;
      if (t > g.last) g.last = t;
    }
    return [...groups.values()]
      .sort((x, y) => x.high - y.high || x.low - y.low)
      .map((g) => [g.high % 2 ** 32, g.n, g.bytes, g.n / (Number(g.last - g.first) / 1e9)]);
  },
  error_ratio(a) {
    const total = new Map<string, number>();
    const errors = new Map<string, number>();
    for (let i = 0; i < a.time.length; i++) {
      if (a.time[i]! < FROM) continue;
      const m = a.method[i]!;
      total.set(m, (total.get(m) ?? 0) + 1);
      if (a.status[i]! >= 500) errors.set(m, (errors.get(m) ?? 0) + 1);
    }
    return [...total].map(([m, n]) => [m, n, errors.get(m) ?? 0, (errors.get(m) ?? 0) / n]);
  },
};

/**
 * The same five scripts as pxl-vs-sql, each against a straightforward TypeScript computation
 * over plain arrays of the same rows (held in memory, ready to loop over), in the same process.
 */
async function main(): Promise<void> {
  console.log(`pxl-vs-js: ${fmt(ROWS)} http_events rows, median of ${ROUNDS} rounds; ${machine()}`);
  const data = await loadData();
  const a = arrays(data.columns);
  void START;
  let ours = 0;
  let peer = 0;
  try {
    for (const s of SCRIPTS) {
      const pxl = async () => (await data.engine.run(s.pxl, { now: NOW })).tables[0]!.rows;
      const js = () => JS[s.name]!(a);
      const [x, y] = [normalize(await pxl(), s.ordered), normalize(js(), s.ordered)];
      if (JSON.stringify(x) !== JSON.stringify(y)) {
        throw new Error(
          `${s.name}: PxL and TypeScript disagree\nPxL: ${x.slice(0, 5).join('\n')}\nTS:  ${y.slice(0, 5).join('\n')}`,
        );
      }
      const t = await race(pxl, js);
      ours += t.ours;
      peer += t.peer;
      console.log(
        `pxl-vs-js: ${s.name.padEnd(18)} ${String(x.length).padStart(5)} rows, same result; PxL ${ms(t.ours)}, TypeScript ${ms(t.peer)}, ratio ${(t.peer / t.ours).toFixed(2)}`,
      );
    }
  } finally {
    data.engine.shutdown();
    await data.store.shutdown();
  }
  console.log(
    `pxl-vs-js: ours ${ms(ours)}, peer ${ms(peer)} (sums of medians), ratio ${(peer / ours).toFixed(2)}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
