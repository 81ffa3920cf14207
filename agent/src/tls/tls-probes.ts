import { BigIntStats } from 'node:fs';
import { FileHandle, open, readdir, stat } from 'node:fs/promises';
import { Logger } from '../../../shared/common/logger';
import { ExecEvent } from '../ebpf/events';
import { UprobeLink } from '../ebpf/socket-tracer';
import { ElfError, functionOffsets } from './elf-symbols';
import { executableMappings, fileKey } from './proc-maps';
import { SSL_PROBES } from './ssl-probes';

/** What places uprobes: the socket tracer. */
export interface UprobeAttacher {
  attachUprobe(program: string, path: string, offset: number): UprobeLink;
  detachUprobe(link: UprobeLink): void;
}

export interface TlsProbeOptions {
  /** How often every process's mappings are read again (what events missed; files unused). */
  readonly rescanIntervalMs: number;
  /** Processes waiting to be looked at; beyond it the newest are dropped, counted. */
  readonly maxPendingProcesses: number;
  /** Files remembered as looked at (those without TLS are forgotten first). */
  readonly maxFiles: number;
  /** Bytes of one /proc/PID/maps read. */
  readonly maxMapsBytes: number;
  /** The proc filesystem (tests may point elsewhere). */
  readonly procRoot: string;
}

export const DEFAULT_TLS_PROBE_OPTIONS: TlsProbeOptions = {
  rescanIntervalMs: 60_000,
  maxPendingProcesses: 16384,
  maxFiles: 65536,
  maxMapsBytes: 4 << 20,
  procRoot: '/proc',
};

export interface TlsProbeCounters {
  /** Files with TLS uprobes now. */
  readonly filesAttached: number;
  /** Files looked at for TLS functions. */
  readonly filesExamined: number;
  /** Files that could not be read or whose uprobes the kernel refused. */
  readonly fileErrors: number;
  /** Processes not looked at because too many were waiting. */
  readonly processesDropped: number;
  /** Passes over every process finished (at start, then every rescanIntervalMs). */
  readonly rescans: number;
}

interface Attached {
  readonly links: UprobeLink[];
  readonly path: string;
  /** Full rescans in a row that found no process mapping the file. */
  unseen: number;
}

/** Where distributions keep shared libraries (multiarch first). */
const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const HOST_LIBRARY_DIRS = [
  `/usr/lib/${MULTIARCH}`,
  `/lib/${MULTIARCH}`,
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/lib',
  '/usr/local/lib',
];

/** A file's key from stat (user space's dev_t: glibc's major and minor). */
function statKey(st: BigIntStats): string {
  const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
  const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
  return fileKey(Number(major), Number(minor), Number(st.ino));
}

/** A kernel event's file that scans have not yet found in its process's mappings. */
const EVENT_KEY_TRIES = 3;
/** Full rescans that must miss a file before its uprobes are taken off. */
const UNSEEN_RESCANS = 2;

/**
 * Finds OpenSSL in the node's processes and places the TLS uprobes on it, once per file: the
 * kernel puts a uprobe on the file's inode, so one attachment covers every process that maps the
 * file, now or later. Processes are looked at when they exec or map an executable file (events
 * from the kernel), and all of them at start and every `rescanIntervalMs`; a file that the
 * rescans no longer find mapped is detached. One process is read at a time, asynchronously, so
 * the event loop never waits on it.
 */
export class TlsProbes {
  private readonly files = new Map<string, Attached | 'none'>();
  /** Kernel file keys already found (or tried often enough), and tries of the others. */
  private readonly eventKeys = new Map<string, number>();
  /** Processes to look at, with the files (key to name) the kernel said they mapped. */
  private readonly pending = new Map<number, Map<string, string>>();
  private rescanPids: number[] = [];
  private rescanSeen: Set<string> | undefined;
  private working: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private examined = 0;
  private errors = 0;
  private dropped = 0;
  private rescans = 0;

  constructor(
    private readonly attacher: UprobeAttacher,
    private readonly log: Logger,
    private readonly opts: TlsProbeOptions = DEFAULT_TLS_PROBE_OPTIONS,
  ) {}

  /** Looks at every running process now, and again every rescanIntervalMs. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.timer = setInterval(() => void this.rescan(), this.opts.rescanIntervalMs);
    this.timer.unref();
    void this.rescan();
  }

  /** A process exec'd or mapped an executable file: look at it unless that file is known. */
  onExec(ev: ExecEvent): void {
    if (this.stopped) return;
    const key = fileKey(ev.devMajor, ev.devMinor, ev.ino);
    if ((this.eventKeys.get(key) ?? 0) >= EVENT_KEY_TRIES) return;
    const keys = this.pending.get(ev.header.tgid);
    if (keys) {
      keys.set(key, ev.name);
    } else if (this.pending.size >= this.opts.maxPendingProcesses) {
      this.dropped++;
      return;
    } else {
      this.pending.set(ev.header.tgid, new Map([[key, ev.name]]));
    }
    this.kick();
  }

  counters(): TlsProbeCounters {
    let attached = 0;
    for (const f of this.files.values()) if (f !== 'none') attached++;
    return {
      filesAttached: attached,
      filesExamined: this.examined,
      fileErrors: this.errors,
      processesDropped: this.dropped,
      rescans: this.rescans,
    };
  }

  /** Stops looking, waits for the process being read, and takes every uprobe off. Safe twice. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.working;
    for (const [key, f] of this.files) {
      if (f !== 'none') this.detach(key, f);
    }
  }

  /** Queues every process for a full pass, unless one is under way. */
  private async rescan(): Promise<void> {
    if (this.rescanPids.length > 0 || this.stopped) return;
    let names: string[];
    try {
      names = await readdir(this.opts.procRoot);
    } catch (err) {
      this.log.warn({ err }, 'failed to list processes for TLS libraries');
      return;
    }
    const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
    this.rescanPids = pids.slice(0, this.opts.maxPendingProcesses);
    this.dropped += pids.length - this.rescanPids.length;
    // A pass that could not look at every process says nothing about files no longer used.
    this.rescanSeen = pids.length === this.rescanPids.length ? new Set() : undefined;
    this.kick();
  }

  private kick(): void {
    this.working ??= this.work().finally(() => (this.working = undefined));
  }

  /** One process at a time: those events named first, then the rescan's. */
  private async work(): Promise<void> {
    while (!this.stopped) {
      const [event] = this.pending;
      if (event) {
        this.pending.delete(event[0]);
        await this.scanProcess(event[0], event[1]);
        continue;
      }
      const pid = this.rescanPids.pop();
      if (pid === undefined) return;
      await this.scanProcess(pid, undefined);
      if (this.rescanPids.length === 0) this.finishRescan();
    }
  }

  private async scanProcess(
    pid: number,
    eventKeys: Map<string, string> | undefined,
  ): Promise<void> {
    const found = new Set<string>();
    try {
      const mappings = executableMappings(await this.readMaps(pid));
      // A live process maps at least its executable: none means it is exiting (a zombie).
      if (mappings.length === 0) throw new Error(`process ${pid} has exited`);
      for (const m of mappings) {
        found.add(m.key);
        this.rescanSeen?.add(m.key);
        if (this.files.has(m.key) || this.stopped) continue;
        // map_files names exactly the mapped inode, even deleted or in another mount namespace.
        await this.examine(m.key, m.path, `${this.opts.procRoot}/${pid}/map_files/${m.range}`);
      }
    } catch {
      // Gone already (curl lives for milliseconds): a TLS library it mapped may still be found
      // by its name among the host's libraries.
      for (const [key, name] of eventKeys ?? []) {
        if (await this.examineHostLibrary(key, name)) found.add(key);
      }
    }
    for (const key of eventKeys?.keys() ?? []) {
      // The kernel and /proc name a file alike, except through overlayfs: try a few times.
      const tries = found.has(key) ? EVENT_KEY_TRIES : (this.eventKeys.get(key) ?? 0) + 1;
      this.remember(this.eventKeys, key, tries);
    }
  }

  /** Looks for a TLS library called `name` with this key in the host's library folders. */
  private async examineHostLibrary(key: string, name: string): Promise<boolean> {
    if (!name.startsWith('libssl') || name.includes('/')) return false;
    for (const root of [`${this.opts.procRoot}/1/root`, '']) {
      for (const dir of HOST_LIBRARY_DIRS) {
        const path = `${root}${dir}/${name}`;
        let st: BigIntStats;
        try {
          st = await stat(path, { bigint: true });
        } catch {
          continue;
        }
        if (statKey(st) !== key) continue;
        if (!this.files.has(key)) await this.examine(key, `${dir}/${name}`, path);
        return true;
      }
    }
    return false;
  }

  private async readMaps(pid: number): Promise<string> {
    const fh = await open(`${this.opts.procRoot}/${pid}/maps`, 'r');
    try {
      const buf = Buffer.allocUnsafe(this.opts.maxMapsBytes);
      let len = 0;
      while (len < buf.length) {
        const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
        if (bytesRead === 0) break;
        len += bytesRead;
      }
      return buf.toString('utf8', 0, len);
    } finally {
      await fh.close();
    }
  }

  /**
   * Looks for the TLS functions in one file (`path` opens it, `shown` is its path for the log)
   * and places the uprobes when it has them.
   */
  private async examine(key: string, shown: string, path: string): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch {
      return; // Gone with its process; or no CAP_SYS_ADMIN, which the agent runs with.
    }
    let offsets: Map<string, number>;
    try {
      const { size } = await fh.stat();
      offsets = await functionOffsets(
        { size, read: (at, n) => readAt(fh, at, n) },
        SSL_PROBES.map((p) => p.symbol),
      );
    } catch (err) {
      if (!(err instanceof ElfError)) {
        this.errors++;
        this.log.debug({ err, path: shown }, 'failed to read a mapped file');
        return;
      }
      offsets = new Map();
    } finally {
      await fh.close();
    }
    this.examined++;
    if (!SSL_PROBES.every((p) => !p.required || offsets.has(p.symbol))) {
      this.remember(this.files, key, 'none');
      return;
    }
    this.attach(key, shown, path, offsets);
  }

  private attach(key: string, shown: string, path: string, offsets: Map<string, number>): void {
    const links: UprobeLink[] = [];
    try {
      for (const p of SSL_PROBES) {
        const offset = offsets.get(p.symbol);
        if (offset === undefined) continue;
        links.push(this.attacher.attachUprobe(p.enter, path, offset));
        if (p.exit) links.push(this.attacher.attachUprobe(p.exit, path, offset));
      }
    } catch (err) {
      for (const link of links) this.attacher.detachUprobe(link);
      this.errors++;
      this.remember(this.files, key, 'none');
      this.log.warn({ err, path: shown }, 'failed to attach TLS uprobes');
      return;
    }
    this.files.set(key, { links, path: shown, unseen: 0 });
    this.log.info({ path: shown, probes: links.length }, 'attached TLS uprobes');
  }

  /** After a full pass: files no process mapped twice in a row lose their uprobes. */
  private finishRescan(): void {
    const seen = this.rescanSeen;
    this.rescanSeen = undefined;
    this.rescans++;
    if (!seen) return;
    for (const [key, f] of this.files) {
      if (f === 'none') continue;
      f.unseen = seen.has(key) ? 0 : f.unseen + 1;
      if (f.unseen >= UNSEEN_RESCANS) this.detach(key, f);
    }
  }

  private detach(key: string, f: Attached): void {
    for (const link of f.links) this.attacher.detachUprobe(link);
    this.files.delete(key);
    this.log.info({ path: f.path }, 'detached TLS uprobes');
  }

  /** Sets a key in a bounded map, forgetting the oldest entries that hold no uprobes. */
  private remember<V>(map: Map<string, V | Attached>, key: string, value: V): void {
    if (!map.has(key) && map.size >= this.opts.maxFiles) {
      for (const [k, v] of map) {
        if (typeof v === 'object' && v !== null && 'links' in v) continue;
        map.delete(k);
        break;
      }
    }
    map.set(key, value);
  }
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}
