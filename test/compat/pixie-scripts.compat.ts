import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_NS,
  PODS,
  PxlFixture,
  connSamples,
  fillCluster,
  httpEvents,
  httpJson,
  procSamples,
  pxlFixture,
  samplesJson,
} from '../support/pxl';
import { appendArrow, rowsByTable } from '../support/protocol-rows';
import { pxlPod, worldConversations } from '../support/protocol-world';

/**
 * Runs Pixie's own scripts (src/pxl_scripts/px of pixie-io/pixie) on generated data. The
 * scripts are not part of this repository: point PIXIE_SCRIPTS_DIR at a folder holding them
 * and a manifest.json that lists, per script, the functions its vis.json calls with the
 * variables' default values (or none, for scripts that display at top level):
 *
 *   [{ "file": "service_stats.pxl", "funcs": [{ "name": "svc_let", "args": { "start": "-5m" } }] }]
 *
 * Run: PIXIE_SCRIPTS_DIR=/path npx jest --testMatch '**' test/compat
 */
const DIR = process.env.PIXIE_SCRIPTS_DIR ?? '';

interface Entry {
  file: string;
  funcs?: { name: string; args: Record<string, string | number | boolean>; skip?: string }[];
}

const NOW = BASE_NS + 120_000_000_000n;

async function world(fx: PxlFixture): Promise<void> {
  await fx.insert(
    'http_events',
    httpJson(httpEvents(3000, 31)).map((row, i) => ({
      ...row,
      req_headers: JSON.stringify({
        Host: 'svc',
        ...(i % 2
          ? { traceparent: `00-${(1e15 + i).toString(16)}-${(1e9 + i).toString(16)}-01` }
          : {}),
      }),
    })),
  );
  await fx.insert('conn_stats', samplesJson(connSamples()));
  await fx.insert('process_stats', samplesJson(procSamples()));
  await fx.insert(
    'network_stats',
    Array.from({ length: 24 * PODS }, (_, i) => ({
      time_: String(BASE_NS + BigInt(Math.floor(i / PODS)) * 5_000_000_000n),
      pod_id: `uid-${i % PODS}`,
      rx_bytes: 1000 * i,
      rx_packets: 10 * i,
      rx_errors: i % 3,
      rx_drops: i % 2,
      tx_bytes: 2000 * i,
      tx_packets: 20 * i,
      tx_errors: i % 5,
      tx_drops: 0,
    })),
  );
  // Database and DNS traffic: the parsers' captures replayed through the agent's row builders.
  const traffic = rowsByTable(
    worldConversations({
      servers: {
        pgsql_events: { peer: pxlPod(2), port: 5432 },
        mysql_events: { peer: pxlPod(3), port: 3306 },
        redis_events: { peer: pxlPod(1), port: 6379 },
        dns_events: { peer: { ip: '10.96.0.10' }, port: 53 },
      },
      clients: [0, 4, 5].map(pxlPod),
      startNs: BASE_NS,
      everyNs: 5_000_000_000n,
      rounds: 24,
    }),
  );
  for (const [table, rows] of traffic) await appendArrow(fx.store, table, rows);
  await fillCluster(fx, {
    namespace: 'default',
    services: Array.from({ length: PODS }, (_, i) => [
      i % 2 === 0 ? 'default/svc-a' : 'default/svc-b',
    ]),
    cmdline: (i) => `/app/server-${i} --port=80`,
    node: (i) => `node-${i % 2}`,
  });
}

const manifest: Entry[] =
  DIR && existsSync(join(DIR, 'manifest.json'))
    ? (JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Entry[])
    : [];

(manifest.length > 0 ? describe : describe.skip)(
  `Pixie's scripts from ${DIR || '(PIXIE_SCRIPTS_DIR unset)'}`,
  () => {
    let fx: PxlFixture;
    beforeAll(async () => {
      fx = await pxlFixture();
      await world(fx);
    });
    const ran: string[] = [];
    afterAll(async () => {
      process.stderr.write(`${ran.join('\n')}\n`);
      await fx.close();
    });

    const cases = manifest.flatMap((e) =>
      (e.funcs ?? [undefined]).map((f) => [`${e.file}${f ? ` ${f.name}` : ''}`, e, f] as const),
    );
    it.each(cases)('%s runs', async (_label, entry, func) => {
      if (func?.skip) {
        process.stderr.write(`not run: ${entry.file} ${func.name}: ${func.skip}\n`);
        return;
      }
      const script = readFileSync(join(DIR, 'scripts', entry.file), 'utf8');
      const res = await fx.engine.run(script, {
        now: NOW,
        ...(func ? { func: func.name, args: func.args } : {}),
        limits: { maxOutputRows: 100_000 },
      });
      expect(res.tables.length + res.exports.length).toBeGreaterThan(0);
      ran.push(`${_label}: ${res.tables.map((t) => `${t.name} ${t.rows.length} rows`).join(', ')}`);
    });
  },
);
