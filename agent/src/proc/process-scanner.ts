import { readdir, readFile, readlink } from 'node:fs/promises';
import { PF_KTHREAD, ProcIo, ProcStat, parseIo, parseStat, parseStatmResident } from './proc-files';
import { Upid } from './upid';

/** What one scan read about one process. */
export interface ProcessSample {
  readonly upid: Upid;
  readonly stat: ProcStat;
  readonly residentPages: number;
  readonly io: ProcIo;
  /** The network namespace (`net:[inode]`), or '' when unreadable. */
  readonly netns: string;
}

const NO_IO: ProcIo = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0 };
const CONCURRENCY = 32;

/**
 * Reads every user-space process under a /proc root: stat, statm, io and the network namespace.
 * Processes that exit mid-scan are skipped; kernel threads are left out (no memory, no sockets).
 */
export class ProcessScanner {
  constructor(
    private readonly asid: number,
    private readonly procRoot = '/proc',
  ) {}

  async scan(): Promise<ProcessSample[]> {
    const pids = (await readdir(this.procRoot)).filter((n) => /^\d+$/.test(n)).map(Number);
    return this.readAll(pids);
  }

  /** Reads these processes, a few at a time; those gone or kernel threads are left out. */
  async readAll(pids: readonly number[]): Promise<ProcessSample[]> {
    const out: ProcessSample[] = [];
    for (let i = 0; i < pids.length; i += CONCURRENCY) {
      const batch = await Promise.all(pids.slice(i, i + CONCURRENCY).map((p) => this.read(p)));
      for (const s of batch) if (s) out.push(s);
    }
    return out;
  }

  /** Reads one process; undefined when it is gone or is a kernel thread. */
  async read(pid: number): Promise<ProcessSample | undefined> {
    const dir = `${this.procRoot}/${pid}`;
    const stat = parseStat(await readFile(`${dir}/stat`, 'utf8').catch(() => ''));
    if (!stat || stat.flags & PF_KTHREAD) return undefined;
    const [statm, io, netns] = await Promise.all([
      readFile(`${dir}/statm`, 'utf8').catch(() => ''),
      readFile(`${dir}/io`, 'utf8').then(parseIo, () => NO_IO),
      readlink(`${dir}/ns/net`).catch(() => ''),
    ]);
    return {
      upid: { asid: this.asid, pid, startTicks: stat.startTicks },
      stat,
      residentPages: parseStatmResident(statm),
      io,
      netns,
    };
  }
}
