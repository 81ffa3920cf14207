import { formatExports } from './exports-command';

type ExportsBody = Parameters<typeof formatExports>[0];

describe('formatExports', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');

  it('prints jobs, each job at each sink and the sinks as three tables, each value under its header', () => {
    const body: ExportsBody = {
      jobs: [
        {
          name: 'http-metrics',
          kind: 'preset',
          intervalMs: 10000,
          runs: 42,
          scriptErrors: 1,
          lastRun: { startedAt: '2026-12-06T11:59:56Z', outcome: 'ok', rows: 400 },
          sinks: [
            {
              sink: 'remote-write',
              cursor: 18244,
              behindRows: 400,
              sending: { items: 740, since: '2026-12-06T11:59:48Z' },
              dropped: { by_sink: 0, series_limit: 3 },
              lastSuccessAt: '2026-12-06T11:48:00Z',
              lastError: { message: 'connect ECONNREFUSED', at: '2026-12-06T09:00:00Z' },
              consecutiveFailures: 3,
            },
          ],
        },
        {
          name: 'slow',
          kind: 'script',
          intervalMs: 60000,
          runs: 0,
          scriptErrors: 0,
          lastRun: null,
          sinks: [],
        },
      ],
      sinks: [
        {
          sink: 'remote-write',
          signals: ['metrics'],
          sent: 6290,
          dropped: { out_of_order: 2, permanent: 0 },
          queue: { requests: 1, items: 740, bytes: 20311, capacityBytes: 67108864 },
          lastSuccessAt: null,
          lastError: null,
          consecutiveFailures: 0,
        },
        {
          sink: 'prometheus',
          signals: ['metrics'],
          sent: 12,
          dropped: {},
          queue: { requests: 0, items: 0, bytes: 0, capacityBytes: 0 },
          lastSuccessAt: '2026-12-03T12:00:00Z',
          lastError: null,
          consecutiveFailures: 0,
        },
      ],
    };
    expect(formatExports(body, now).split('\n')).toEqual([
      'job           kind    every  runs  script errors  last run',
      'http-metrics  preset  10s      42              1  4s ago: 400 rows',
      'slow          script  60s       0              0  not yet',
      '',
      'job           sink          cursor  behind  sending            last success  failures  dropped         last error',
      'http-metrics  remote-write   18244     400  740 items for 12s  12m ago              3  series_limit 3  connect ECONNREFUSED (3h ago)',
      '',
      'sink          sent  queued                                       last success  failures  dropped         last error',
      'remote-write  6290  1 requests, 740 items, 19.8 KiB of 64.0 MiB  never                0  out_of_order 2  -',
      'prometheus      12  -                                            3d ago               0  -               -',
    ]);
  });

  it('says so when no job and no sink is configured', () => {
    expect(formatExports({ jobs: [], sinks: [] }, now)).toBe(
      'no export jobs and no sinks are configured (see docs/exporting.md)',
    );
  });
});
