import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Coordinator, ShardTarget } from '../../gateway/src/cluster/query/coordinator';
import { ShardServer } from '../../gateway/src/cluster/query/shard-server';
import { SKETCH_RELATIVE_ERROR } from '../../gateway/src/pxl/functions/sketch';
import { Cell, ResultTable } from '../../gateway/src/pxl/execute/result';
import {
  PxlFixture,
  connSamples,
  fillCluster,
  httpEvents,
  httpJson,
  procSamples,
  pxlFixture,
  samplesJson,
} from './pxl';

const ROOT = join(__dirname, '..', '..');

/** Rows of a table split over `k` stores: row i goes to store i mod k (neighbours apart). */
async function fillSplit(
  fixtures: readonly PxlFixture[],
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const k = fixtures.length;
  for (let s = 0; s < k; s++)
    await fixtures[s]!.insert(
      table,
      rows.filter((_r, i) => i % k === s),
    );
}

/**
 * Stores filled with the generated world's rows (`httpRows` requests), row i in store i mod n,
 * and all metadata.
 */
export async function splitWorld(n: number, httpRows = 1500): Promise<PxlFixture[]> {
  const fixtures = await Promise.all(Array.from({ length: n }, () => pxlFixture()));
  await fillSplit(fixtures, 'http_events', httpJson(httpEvents(httpRows, 21)));
  await fillSplit(fixtures, 'conn_stats', samplesJson(connSamples()));
  await fillSplit(fixtures, 'process_stats', samplesJson(procSamples()));
  for (const fx of fixtures) {
    await fillCluster(fx, {
      namespace: 'ns',
      services: [
        ['ns/svc-a'],
        ['ns/svc-a'],
        ['ns/svc-b'],
        ['ns/svc-b'],
        [],
        ['ns/svc-a', 'ns/svc-b'],
      ],
      cmdline: (i) => `/bin/app-${i}`,
      node: (i) => `node-${i % 2}`,
      outside: [4],
    });
  }
  return fixtures;
}

/** Every bundled script (scripts/px and its export presets) by name, with its text. */
export function bundledScripts(): { name: string; text: string }[] {
  const dir = join(ROOT, 'scripts', 'px');
  const read = (sub: string) =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.pxl'))
      .sort()
      .map((f) => ({ name: join(sub, f), text: readFileSync(join(dir, sub, f), 'utf8') }));
  return [...read('.'), ...read('export')];
}

/** The PxL test queries with golden SQL (gateway/src/pxl/compile/testdata). */
export function goldenQueries(): { name: string; text: string }[] {
  const dir = join(ROOT, 'gateway', 'src', 'pxl', 'compile', 'testdata');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pxl'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Shards in this process: each fixture's store answers through a ShardServer, no transport. */
export function localShards(fixtures: readonly PxlFixture[]): ShardTarget[] {
  return fixtures.map((fx, i) => {
    const server = new ShardServer(fx.engine, {
      self: `g${i}`,
      partitions: () => [`p${i}`],
      maxReplyBytes: () => 64 * 1024 * 1024,
    });
    return { id: `g${i}`, partitions: [`p${i}`], ask: (request) => server.answer(request) };
  });
}

/** A coordinator on the first fixture's engine over shards in this process. */
export function localCoordinator(fixtures: readonly PxlFixture[], shards = localShards(fixtures)) {
  return new Coordinator(fixtures[0]!.engine, {
    targets: () => shards,
    partitions: () => shards.flatMap((s) => s.partitions),
  });
}

/** Whether a value is within the sketch's relative error of another (or both are tiny). */
function nearQuantile(got: number, want: number): boolean {
  return Math.abs(got - want) <= SKETCH_RELATIVE_ERROR * Math.abs(want) + 1;
}

/**
 * Expects a table from several gateways to equal one gateway's: same columns, same rows in the
 * same order; floats within 1e-9 (sums in another order), and with `quantiles`, every number
 * within the sketch's relative error (values read from quantiles, and quantiles' JSON).
 */
export function expectSameTable(
  got: ResultTable,
  want: ResultTable,
  opts: { quantiles: boolean; ordered: boolean },
): void {
  expect(got.columns).toEqual(want.columns);
  expect(got.rows.length).toBe(want.rows.length);
  if (!opts.ordered || tiedTimes(want)) {
    got = { ...got, rows: sorted(got.rows) };
    want = { ...want, rows: sorted(want.rows) };
  }
  const quantiles = opts.quantiles;
  const cellOk = (g: Cell, w: Cell, type: string, semantic: string): boolean => {
    if (g === w) return true;
    if (quantiles && (semantic === 'ST_QUANTILES' || semantic === 'ST_DURATION_NS_QUANTILES')) {
      const gj = JSON.parse(String(g)) as Record<string, number | null>;
      const wj = JSON.parse(String(w)) as Record<string, number | null>;
      return Object.keys(wj).every((k) =>
        wj[k] === null ? gj[k] === null : nearQuantile(gj[k]!, wj[k]!),
      );
    }
    if (typeof g === 'number' && typeof w === 'number') {
      if (quantiles && nearQuantile(g, w)) return true;
      return Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w));
    }
    if (quantiles && typeof g === 'bigint' && typeof w === 'bigint' && type !== 'TIME64NS') {
      return nearQuantile(Number(g), Number(w));
    }
    return false;
  };
  got.rows.forEach((row, i) => {
    row.forEach((cell, j) => {
      const c = want.columns[j]!;
      const w = want.rows[i]![j]!;
      if (!cellOk(cell, w, c.type, c.semanticType)) {
        throw new Error(
          `row ${i}, column ${c.name}: got ${String(cell)}, want ${String(w)}\n` +
            `got row ${JSON.stringify(row, big)}\nwant row ${JSON.stringify(want.rows[i], big)}`,
        );
      }
    });
  });
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

/** Rows in the order of their JSON text. */
function sorted(rows: readonly (readonly Cell[])[]): (readonly Cell[])[] {
  const key = (r: readonly Cell[]) => JSON.stringify(r, big);
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Whether rows share a time_: across gateways rows come in time_ order, and rows of one time_
 * from several gateways in gateway order, not in the order one gateway stored them.
 */
function tiedTimes(t: ResultTable): boolean {
  const i = t.columns.findIndex((c) => c.name === 'time_' && c.type === 'TIME64NS');
  if (i < 0) return false;
  const seen = new Set<unknown>();
  return t.rows.some((r) => seen.size === seen.add(r[i]).size);
}
