import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readlinkSync } from 'node:fs';
import { WallClock, pageSize, wallNowNs } from './host';
import { networkStatsRows } from './network-stats';
import { PF_KTHREAD } from './proc-files';
import { ProcessMetadataTracker } from './process-metadata';
import { ProcessScanner } from './process-scanner';
import { processStatsRow } from './process-stats';
import { upidHalves } from './upid';

// These read the real /proc of the machine running the tests.
describe('the /proc collectors', () => {
  const scanner = new ProcessScanner(0);

  it('finds this process with the start ticks /proc/self/stat shows, and no kernel threads', async () => {
    const samples = await scanner.scan();
    const self = samples.find((s) => s.upid.pid === process.pid)!;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const field22 = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    expect(self.upid).toEqual({ asid: 0, pid: process.pid, startTicks: BigInt(field22!) });
    expect(samples.some((s) => s.stat.flags & PF_KTHREAD)).toBe(false);
    const row = processStatsRow(self, wallNowNs(), pageSize());
    expect(row.upid).toEqual(upidHalves(self.upid));
    expect(row.rss_bytes as number).toBeGreaterThan(1 << 20);
    expect(row.num_threads as number).toBeGreaterThan(1);
  });

  it('describes a new process once and reports its exit once', async () => {
    const clock = new WallClock();
    const tracker = new ProcessMetadataTracker(clock.bootNs(), 'test-host');
    await tracker.update(await scanner.scan(), wallNowNs());
    const child = spawn('sleep', ['30']);
    await once(child, 'spawn');
    const started = await tracker.update(await scanner.scan(), wallNowNs());
    const mine = started.filter((m) => m.pid === child.pid);
    expect(mine).toEqual([
      expect.objectContaining({ cmdline: 'sleep 30', pod_uid: '', container_id: '' }),
    ]);
    expect(BigInt(mine[0]!.start_ns)).toBeLessThanOrEqual(wallNowNs());
    expect(BigInt(mine[0]!.start_ns)).toBeGreaterThan(wallNowNs() - 60_000_000_000n);
    expect(
      (await tracker.update(await scanner.scan(), wallNowNs())).filter((m) => m.pid === child.pid),
    ).toEqual([]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const stopped = await tracker.update(await scanner.scan(), wallNowNs());
    expect(stopped.filter((m) => m.pid === child.pid)).toEqual([
      expect.objectContaining({ upid: mine[0]!.upid, stop_ns: expect.stringMatching(/^\d+$/) }),
    ]);
  });

  it("reports the host's network namespace with pod_id ''", async () => {
    const host = readlinkSync('/proc/self/ns/net');
    const rows = await networkStatsRows(await scanner.scan(), () => '', host, 7n);
    expect(rows).toEqual([
      expect.objectContaining({ time_: 7n, pod_id: '', rx_bytes: expect.any(Number) }),
    ]);
  });
});
