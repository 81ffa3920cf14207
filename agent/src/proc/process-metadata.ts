import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parseCgroup } from './cgroup';
import { NS_PER_TICK } from './host';
import { parseCmdline } from './proc-files';
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

const MAX_CMDLINE = 4096;
const MAX_HOSTNAME = 255;

/**
 * Follows the processes seen by successive scans: each new UPID is described once (command
 * line, container, pod, hostname), and each that disappears is reported once with its stop
 * time. Holds one entry per live process.
 */
export class ProcessMetadataTracker {
  private readonly live = new Map<string, ProcessMetadata>();
  private readonly podByPid = new Map<number, string>();

  constructor(
    private readonly bootNs: bigint,
    private readonly defaultHostname: string,
    private readonly procRoot = '/proc',
  ) {}

  /** Reads the new processes of a scan and returns the changes to report. */
  async update(samples: readonly ProcessSample[], nowNs: bigint): Promise<ProcessMetadata[]> {
    const changes: ProcessMetadata[] = [];
    const seen = new Set<string>();
    for (const s of samples) {
      const key = formatUpid(s.upid);
      seen.add(key);
      if (this.live.has(key)) continue;
      const md = await this.describe(s);
      this.live.set(key, md);
      this.podByPid.set(md.pid, md.pod_uid);
      changes.push(md);
    }
    for (const [key, md] of this.live) {
      if (seen.has(key)) continue;
      this.live.delete(key);
      if (this.podByPid.get(md.pid) === md.pod_uid) this.podByPid.delete(md.pid);
      changes.push({ ...md, stop_ns: String(nowNs) });
    }
    return changes;
  }

  /** What was reported about each live process. */
  described(): ProcessMetadata[] {
    return [...this.live.values()];
  }

  /** The pod UID of a live process ('' outside pods or when unknown). */
  podUidOf(pid: number): string {
    return this.podByPid.get(pid) ?? '';
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
