import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readlinkSync } from 'node:fs';
import { WallClock, pageSize, wallNowNs } from './host';
import { networkStatsRows } from './network-stats';
import { PF_KTHREAD } from './proc-files';
import { ProcessMetadata, ProcessMetadataTracker } from './process-metadata';
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

  /** A tracker on the real /proc, and what it announced. */
  function tracker(): { tracker: ProcessMetadataTracker; announced: ProcessMetadata[][] } {
    const announced: ProcessMetadata[][] = [];
    const t = new ProcessMetadataTracker(new WallClock().bootNs(), 'test-host', (c) =>
      announced.push([...c]),
    );
    return { tracker: t, announced };
  }

  const of = (announced: ProcessMetadata[][], pid: number | undefined) =>
    announced.flat().filter((m) => m.pid === pid);

  async function sleeper(): Promise<ChildProcess> {
    const child = spawn('sleep', ['30']);
    await once(child, 'spawn');
    return child;
  }

  it('describes a new process once and reports its exit once', async () => {
    const { tracker: t, announced } = tracker();
    await t.update(await scanner.scan(), wallNowNs());
    const child = await sleeper();
    await t.update(await scanner.scan(), wallNowNs());
    const mine = of(announced, child.pid);
    expect(mine).toEqual([
      expect.objectContaining({ cmdline: 'sleep 30', pod_uid: '', container_id: '' }),
    ]);
    expect(BigInt(mine[0]!.start_ns)).toBeLessThanOrEqual(wallNowNs());
    expect(BigInt(mine[0]!.start_ns)).toBeGreaterThan(wallNowNs() - 60_000_000_000n);
    await t.update(await scanner.scan(), wallNowNs());
    expect(of(announced, child.pid)).toHaveLength(1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    announced.length = 0;
    await t.update(await scanner.scan(), wallNowNs());
    expect(of(announced, child.pid)).toEqual([
      expect.objectContaining({ upid: mine[0]!.upid, stop_ns: expect.stringMatching(/^\d+$/) }),
    ]);
  });

  it('introduces a process seen before any scan once, and a later scan neither describes it again nor stops it', async () => {
    const { tracker: t, announced } = tracker();
    const before = await scanner.scan();
    const child = await sleeper();
    const sample = (await scanner.read(child.pid!))!;
    expect(t.knows(child.pid!, sample.upid.startTicks)).toBe(false);
    await Promise.all([t.introduce([sample]), t.introduce([sample])]);
    expect(t.knows(child.pid!, sample.upid.startTicks)).toBe(true);
    expect(of(announced, child.pid)).toEqual([expect.objectContaining({ cmdline: 'sleep 30' })]);
    // A scan that listed /proc before the process started does not see it, yet it still runs.
    await t.update(before, wallNowNs());
    await t.update(await scanner.scan(), wallNowNs());
    expect(of(announced, child.pid)).toHaveLength(1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await t.update(await scanner.scan(), wallNowNs());
    expect(of(announced, child.pid)).toEqual([
      expect.objectContaining({ cmdline: 'sleep 30' }),
      expect.objectContaining({ stop_ns: expect.stringMatching(/^\d+$/) }),
    ]);
    expect(t.knows(child.pid!, sample.upid.startTicks)).toBe(false);
  });

  it("reports the host's network namespace with pod_id ''", async () => {
    const host = readlinkSync('/proc/self/ns/net');
    const rows = await networkStatsRows(await scanner.scan(), () => '', host, 7n);
    expect(rows).toEqual([
      expect.objectContaining({ time_: 7n, pod_id: '', rx_bytes: expect.any(Number) }),
    ]);
  });
});
