import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parseCgroup } from './cgroup';
import { NS_PER_TICK } from './host';
import { parseCmdline, parseStat } from './proc-files';
import { ProcessSample } from './process-scanner';
import { formatUpid } from './upid';

/** What the agent reports about a process, as `POST /v1/metadata/processes` takes it. */
export interface ProcessMetadata {
  readonly upid: string;
  readonly pid: number;
  readonly start_ticks: string;
  readonly cmdline: string;
  readonly hostname: string;
  readonly container_id: string;
  readonly pod_uid: string;
  readonly start_ns: string;
  readonly stop_ns?: string;
}

/** Takes the changes to report, in the order they must reach the gateway. */
export type Announce = (changes: readonly ProcessMetadata[]) => void;

const MAX_CMDLINE = 4096;
/** Processes read at once (each opens a few files; a first scan may list thousands). */
const CONCURRENCY = 32;
const MAX_HOSTNAME = 255;

/**
 * Follows the processes the agent sees: each new UPID is described once (command line,
 * container, pod, hostname), and each that disappears is reported once with its stop time.
 * A process is new when a scan lists it or when the agent first sees a row of it (`introduce`),
 * whichever comes first. A process counts as described only from the moment its description is
 * announced (handed to the send queue), so a row let through after `knows` says yes is always
 * queued after its process's metadata. Holds one entry per live process.
 */
export class ProcessMetadataTracker {
  private readonly live = new Map<string, ProcessMetadata>();
  private readonly startTicksByPid = new Map<number, bigint>();
  private readonly podByPid = new Map<number, string>();

  constructor(
    private readonly bootNs: bigint,
    private readonly defaultHostname: string,
    private readonly announce: Announce,
    private readonly procRoot = '/proc',
  ) {}

  /**
   * Reads the new processes of a scan and announces them with the exits: a described process
   * the scan did not list, and that is no longer running (it may have started after the scan
   * listed /proc, and been introduced since).
   */
  async update(samples: readonly ProcessSample[], nowNs: bigint): Promise<void> {
    const seen = new Set(samples.map((s) => formatUpid(s.upid)));
    const found = await this.describeUnknown(samples);
    const unseen = [...this.live.values()].filter((md) => !seen.has(md.upid));
    const running = await inChunks(unseen, (md) => this.running(md));
    const gone = unseen.filter((_, i) => !running[i]);
    const changes = this.register(found);
    for (const md of gone) {
      if (this.live.get(md.upid) !== md) continue;
      this.forget(md);
      changes.push({ ...md, stop_ns: String(nowNs) });
    }
    if (changes.length > 0) this.announce(changes);
  }

  /**
   * Describes the processes of these samples that are not described yet and announces them
   * together; resolves once every one of them is announced (here or by a scan).
   */
  async introduce(samples: readonly ProcessSample[]): Promise<void> {
    const changes = this.register(await this.describeUnknown(samples));
    if (changes.length > 0) this.announce(changes);
  }

  /** Whether the process with this pid and start time is described (and announced). */
  knows(pid: number, startTicks: bigint): boolean {
    return this.startTicksByPid.get(pid) === startTicks;
  }

  /** What was reported about each live process. */
  described(): ProcessMetadata[] {
    return [...this.live.values()];
  }

  /** The pod UID of a live process ('' outside pods or when unknown). */
  podUidOf(pid: number): string {
    return this.podByPid.get(pid) ?? '';
  }

  private describeUnknown(samples: readonly ProcessSample[]): Promise<ProcessMetadata[]> {
    const unknown = samples.filter((s) => !this.live.has(formatUpid(s.upid)));
    return inChunks(unknown, (s) => this.describe(s));
  }

  /**
   * Makes descriptions live, leaving out any that another caller registered while these were
   * read; returns the ones it added. Synchronous, so the caller announces them before any row
   * of theirs can pass `knows`.
   */
  private register(found: readonly ProcessMetadata[]): ProcessMetadata[] {
    const added: ProcessMetadata[] = [];
    for (const md of found) {
      if (this.live.has(md.upid)) continue;
      this.live.set(md.upid, md);
      this.startTicksByPid.set(md.pid, BigInt(md.start_ticks));
      this.podByPid.set(md.pid, md.pod_uid);
      added.push(md);
    }
    return added;
  }

  private forget(md: ProcessMetadata): void {
    this.live.delete(md.upid);
    if (this.startTicksByPid.get(md.pid) === BigInt(md.start_ticks)) {
      this.startTicksByPid.delete(md.pid);
      this.podByPid.delete(md.pid);
    }
  }

  /** Whether the process is still running: its pid is there with the same start time. */
  private async running(md: ProcessMetadata): Promise<boolean> {
    const stat = parseStat(
      await readFile(`${this.procRoot}/${md.pid}/stat`, 'utf8').catch(() => ''),
    );
    return stat !== undefined && String(stat.startTicks) === md.start_ticks;
  }

  private async describe(s: ProcessSample): Promise<ProcessMetadata> {
    const dir = `${this.procRoot}/${s.upid.pid}`;
    const [cmdline, cgroup, hostname] = await Promise.all([
      readHead(`${dir}/cmdline`, MAX_CMDLINE).then(parseCmdline, () => ''),
      readFile(`${dir}/cgroup`, 'utf8').then(parseCgroup, () => ({ containerId: '', podUid: '' })),
      // The hostname a container sees is the file its runtime mounts at /etc/hostname.
      readHead(`${dir}/root/etc/hostname`, MAX_HOSTNAME).then(
        (b) => b.toString('utf8').trim() || this.defaultHostname,
        () => this.defaultHostname,
      ),
    ]);
    return {
      upid: formatUpid(s.upid),
      pid: s.upid.pid,
      start_ticks: String(s.upid.startTicks),
      cmdline: cmdline || `[${s.stat.comm}]`,
      hostname,
      container_id: cgroup.containerId,
      pod_uid: cgroup.podUid,
      start_ns: String(this.bootNs + s.upid.startTicks * NS_PER_TICK),
    };
  }
}

/** Maps `items` through `fn`, `CONCURRENCY` at a time, keeping their order. */
async function inChunks<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    out.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(fn))));
  }
  return out;
}

/** Reads at most `max` bytes of a file; never blocks on a FIFO planted by a container. */
async function readHead(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
