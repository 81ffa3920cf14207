import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '../../../shared/common/logger';
import { decodeEvent, SocketEvent } from './events';
import { PX_CONFIG, PX_MAX_DATA, STAT_COUNT, Stat } from './layout';
import { LIBBPF_WARN, Libbpf, Ptr, loadLibbpf } from './libbpf';
import { writeRedisCommands } from './redis-command-table';
import { RingReader } from './ring-reader';
import { ensureTracefs } from './tracefs';
import { EbpfUnavailableError } from './unavailable';

export interface SocketTracerOptions {
  /** The compiled object; default: bpf/socket_trace.bpf.o of this package. */
  readonly objectPath?: string | undefined;
  /** Bytes of each syscall's data sent to user space (at most PX_MAX_DATA). */
  readonly captureBytes: number;
  /** Ring buffer size: a power of two, at least one page. */
  readonly ringBufferBytes: number;
  /** How often the ring buffer is drained. */
  readonly pollIntervalMs: number;
  /** Events handled per slice before yielding to the event loop. */
  readonly maxEventsPerSlice: number;
  /** The process whose traffic is never traced (default: this one). */
  readonly agentTgid?: number | undefined;
  /** The libbpf shared object (default: the system's libbpf.so.1). */
  readonly libbpfPath?: string | undefined;
}

/** The kernel side's counters (summed over CPUs). */
export interface TracerCounters {
  readonly ringbufDrops: number;
  readonly connEvents: number;
  readonly dataEvents: number;
  readonly connEvicted: number;
  /** Connections (and untracked sockets) whose first chunks matched no protocol. */
  readonly unclassified: number;
  /** Datagrams of sendmmsg/recvmmsg calls past the ones reported. */
  readonly datagramsUncaptured: number;
  /** Plaintext data events from the SSL_* uprobes. */
  readonly tlsEvents: number;
  /** SSL_* calls whose socket could not be told (their plaintext is lost). */
  readonly tlsNoSocket: number;
  /** SSL_* calls on sockets opened before tracing began. */
  readonly tlsUntracked: number;
  readonly execEvents: number;
}

/** A uprobe attached by `attachUprobe`, to give back to `detachUprobe`. */
export interface UprobeLink {
  readonly program: string;
  readonly path: string;
  readonly offset: number;
}

const EPERM = 1;
const EAGAIN = 11;
const LOAD_ATTEMPTS = 5;
const OBJECT = 'socket_trace.bpf.o';
/**
 * The programs attached to tracepoints at start (the uprobes go on files as TLS libraries are
 * found); the others are tail-call targets or for tests.
 */
const ATTACHED = /^px_(enter|exit|sched)_/;
/** Inference alone, for its test: never loaded here. */
export const INFER_TEST_PROGRAM = 'px_infer_test';

/**
 * The socket tracer's user side: open, configure, load, attach, poll, clean up, with one "failed
 * to X" message per step. Events are read from the ring buffer's memory on a timer in bounded
 * slices, so a burst never holds the event loop for long; each is decoded and handed to `onEvent`.
 * Links are file descriptors: if the process dies, the kernel detaches the programs.
 */
export class SocketTracer {
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private closed = false;
  private ring: RingReader | undefined;
  private readonly uprobeLinks = new Map<UprobeLink, Ptr>();
  /** Samples that failed to decode or whose handler threw. */
  decodeErrors = 0;
  private readonly onSample = (bytes: Uint8Array, view: DataView, at: number, size: number) => {
    try {
      const ev = decodeEvent(bytes, at, size, view);
      if (ev) this.onEvent(ev);
      else this.decodeErrors++;
    } catch (err) {
      this.decodeErrors++;
      this.log.debug({ err }, 'failed to handle a ring buffer event');
    }
  };

  private constructor(
    private readonly lib: Libbpf,
    private readonly obj: Ptr,
    private readonly links: Ptr[],
    private readonly uprobePrograms: ReadonlyMap<string, { prog: Ptr; retprobe: boolean }>,
    private readonly statsMap: Ptr,
    private readonly opts: SocketTracerOptions,
    private readonly log: Logger,
    private readonly onEvent: (ev: SocketEvent) => void,
  ) {}

  /**
   * Loads and attaches the programs. Throws EbpfUnavailableError when this host cannot trace
   * (library, BTF, tracefs, privileges), naming what is missing and what to do.
   */
  static open(
    opts: SocketTracerOptions,
    log: Logger,
    onEvent: (ev: SocketEvent) => void,
  ): SocketTracer {
    let lib: Libbpf;
    try {
      lib = loadLibbpf(opts.libbpfPath);
    } catch (err) {
      throw new EbpfUnavailableError(
        `${opts.libbpfPath ?? 'libbpf.so.1'} could not be loaded (${(err as Error).message})`,
        'Install libbpf 1.1 or later: apt-get install libbpf1 (Debian, Ubuntu) or dnf install libbpf (Fedora, RHEL)',
      );
    }
    if (!existsSync('/sys/kernel/btf/vmlinux')) {
      throw new EbpfUnavailableError(
        'the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing)',
        'Run on a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of current distributions)',
      );
    }
    if (ensureTracefs() === 'mounted-by-us') log.info('mounted tracefs at /sys/kernel/tracing');
    lib.setPrint((level, line) => {
      if (level === LIBBPF_WARN) log.warn({ libbpf: true }, line);
      else log.debug({ libbpf: true }, line);
    });

    const path = opts.objectPath ?? findObject();
    const { obj, maps } = loadObject(lib, path, opts, log);
    const links: Ptr[] = [];
    const uprobes = new Map<string, { prog: Ptr; retprobe: boolean }>();
    try {
      writeRedisCommands(lib, required(maps, 'px_redis_commands'));
      for (let p = lib.objectNextProgram(obj, null); p; p = lib.objectNextProgram(obj, p)) {
        // Uprobes have no target of their own: attachUprobe places them on files later.
        const section = lib.programSectionName(p);
        if (section === 'uprobe' || section === 'uretprobe') {
          uprobes.set(lib.programName(p), { prog: p, retprobe: section === 'uretprobe' });
          continue;
        }
        if (!ATTACHED.test(lib.programName(p))) continue;
        const link = lib.programAttach(p);
        if (!link) {
          throw new EbpfUnavailableError(
            `failed to attach ${lib.programName(p)}: ${lib.strerror(lib.errno())}`,
            'Check that syscall tracepoints are enabled (see the libbpf lines logged above)',
          );
        }
        links.push(link);
      }
      const tracer = new SocketTracer(
        lib,
        obj,
        links,
        uprobes,
        required(maps, 'px_stats'),
        opts,
        log,
        onEvent,
      );
      tracer.ring = RingReader.open(
        lib,
        lib.mapFd(required(maps, 'px_events')),
        opts.ringBufferBytes,
      );
      log.info(
        { programs: links.length, libbpf: lib.version, captureBytes: opts.captureBytes },
        'socket tracer attached',
      );
      return tracer;
    } catch (err) {
      for (const link of links) lib.linkDestroy(link);
      lib.objectClose(obj);
      throw err;
    }
  }

  /** Starts draining the ring buffer on a timer. */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => this.drain(), this.opts.pollIntervalMs);
  }

  /** Drains one slice now; returns the number of events handled. */
  poll(): number {
    return this.ring?.read(this.opts.maxEventsPerSlice, this.onSample) ?? 0;
  }

  /**
   * Attaches the uprobe program `program` at file offset `offset` of the ELF file `path`, for
   * every process that maps that file now or later (the kernel places it on the file's inode).
   * Throws with libbpf's reason when the kernel refuses.
   */
  attachUprobe(program: string, path: string, offset: number): UprobeLink {
    const p = this.uprobePrograms.get(program);
    if (!p) throw new Error(`failed to find uprobe program ${program} in the BPF object`);
    if (this.closed) throw new Error(`failed to attach ${program}: the tracer is shut down`);
    const ptr = this.lib.programAttachUprobe(p.prog, p.retprobe, path, offset);
    if (!ptr) {
      throw new Error(
        `failed to attach ${program} to ${path}+0x${offset.toString(16)}: ${this.lib.strerror(this.lib.errno())}`,
      );
    }
    const link = { program, path, offset };
    this.uprobeLinks.set(link, ptr);
    return link;
  }

  /** Detaches a uprobe that attachUprobe placed; safe twice. */
  detachUprobe(link: UprobeLink): void {
    const ptr = this.uprobeLinks.get(link);
    if (ptr === undefined) return;
    this.uprobeLinks.delete(link);
    this.lib.linkDestroy(ptr);
  }

  /** The kernel side's counters, summed over CPUs. */
  counters(): TracerCounters {
    const ncpu = this.lib.numPossibleCpus();
    const key = new Uint8Array(4);
    const value = new Uint8Array(8 * ncpu);
    const sums: number[] = [];
    for (let i = 0; i < STAT_COUNT; i++) {
      new DataView(key.buffer).setUint32(0, i, true);
      let sum = 0n;
      if (this.lib.mapLookupElem(this.statsMap, key, value) === 0) {
        const view = new DataView(value.buffer);
        for (let c = 0; c < ncpu; c++) sum += view.getBigUint64(8 * c, true);
      }
      sums.push(Number(sum));
    }
    return {
      ringbufDrops: sums[Stat.RINGBUF_DROPS]!,
      connEvents: sums[Stat.CONN_EVENTS]!,
      dataEvents: sums[Stat.DATA_EVENTS]!,
      connEvicted: sums[Stat.CONN_EVICTED]!,
      unclassified: sums[Stat.UNCLASSIFIED]!,
      datagramsUncaptured: sums[Stat.DGRAMS_UNCAPTURED]!,
      tlsEvents: sums[Stat.TLS_EVENTS]!,
      tlsNoSocket: sums[Stat.TLS_NO_SOCKET]!,
      tlsUntracked: sums[Stat.TLS_UNTRACKED]!,
      execEvents: sums[Stat.EXEC_EVENTS]!,
    };
  }

  /** Detaches the programs, handles what is left in the ring, frees everything. Safe twice. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const link of this.links.splice(0)) this.lib.linkDestroy(link);
    for (const link of [...this.uprobeLinks.keys()]) this.detachUprobe(link);
    while (this.poll() === this.opts.maxEventsPerSlice);
    this.ring?.close();
    this.ring = undefined;
    this.lib.objectClose(this.obj);
    this.log.info('socket tracer detached');
  }

  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      if (this.poll() < this.opts.maxEventsPerSlice) return;
    } finally {
      this.draining = false;
    }
    // A full slice: more may be waiting; continue after the event loop's pending I/O.
    setImmediate(() => this.drain());
  }
}

/**
 * Opens, configures and loads the object. The verifier gives up with EAGAIN when a signal
 * arrives while it works (a profiler's timer, say), and an object loads only once: so on
 * EAGAIN the object is opened afresh and loaded again, a few times.
 */
function loadObject(
  lib: Libbpf,
  path: string,
  opts: SocketTracerOptions,
  log: Logger,
): { obj: Ptr; maps: Map<string, Ptr> } {
  for (let attempt = 1; ; attempt++) {
    const obj = lib.objectOpenFile(path);
    if (!obj) throw new Error(`failed to open ${path}: ${lib.strerror(lib.errno())}`);
    try {
      const maps = mapsByName(lib, obj);
      for (let p = lib.objectNextProgram(obj, null); p; p = lib.objectNextProgram(obj, p)) {
        if (lib.programName(p) === INFER_TEST_PROGRAM) lib.programSetAutoload(p, false);
      }
      writeConfig(lib, maps, opts);
      if (lib.mapSetMaxEntries(required(maps, 'px_events'), opts.ringBufferBytes) !== 0) {
        throw new Error(`failed to size the ring buffer to ${opts.ringBufferBytes} bytes`);
      }
      const err = lib.objectLoad(obj);
      if (err === 0) return { obj, maps };
      if (-err !== EAGAIN || attempt === LOAD_ATTEMPTS) throw loadError(lib, -err);
      log.info({ attempt }, 'the verifier was interrupted; loading again');
    } catch (err) {
      lib.objectClose(obj);
      throw err;
    }
    lib.objectClose(obj);
  }
}

/** The object next to this package: bpf/socket_trace.bpf.o above dist/ or the sources. */
function findObject(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'bpf', OBJECT);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`failed to find bpf/${OBJECT} above ${__dirname}; set agent.bpfObject`);
}

function mapsByName(lib: Libbpf, obj: Ptr): Map<string, Ptr> {
  const maps = new Map<string, Ptr>();
  for (let m = lib.objectNextMap(obj, null); m; m = lib.objectNextMap(obj, m)) {
    maps.set(lib.mapName(m), m);
  }
  return maps;
}

function required(maps: Map<string, Ptr>, name: string): Ptr {
  const map = maps.get(name);
  if (!map) throw new Error(`failed to find map ${name} in the BPF object`);
  return map;
}

/** Writes px_config into .rodata: const volatile globals are fixed at load. */
function writeConfig(lib: Libbpf, maps: Map<string, Ptr>, opts: SocketTracerOptions): void {
  const entry = [...maps].find(([name]) => name.endsWith('.rodata'));
  if (!entry) throw new Error('failed to find the .rodata map holding px_config');
  const initial = entry[1] && lib.mapInitialValue(entry[1]);
  if (!initial || initial.length < PX_CONFIG.size) {
    throw new Error('failed to read the initial value of .rodata');
  }
  const data = Uint8Array.from(initial);
  const view = new DataView(data.buffer);
  view.setUint32(PX_CONFIG.fields.agent_tgid!.offset, opts.agentTgid ?? process.pid, true);
  view.setUint32(
    PX_CONFIG.fields.capture_bytes!.offset,
    Math.min(opts.captureBytes, PX_MAX_DATA),
    true,
  );
  if (lib.mapSetInitialValue(entry[1], data) !== 0) {
    throw new Error('failed to set px_config in .rodata');
  }
}

function loadError(lib: Libbpf, errno: number): Error {
  if (errno === EPERM) {
    return new EbpfUnavailableError(
      'the kernel refused to load the BPF programs (EPERM)',
      'Run the agent as root, or with CAP_BPF and CAP_PERFMON (in Kubernetes: a privileged DaemonSet)',
    );
  }
  return new EbpfUnavailableError(
    `the kernel refused to load the BPF programs: ${lib.strerror(errno)}`,
    'The verifier log is in the libbpf lines logged above (warn level); report it with the kernel version',
  );
}
