/** The fields of /proc/PID/stat that pxgate reads (proc(5)); times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly flags: number;
  readonly minorFaults: number;
  readonly majorFaults: number;
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly numThreads: number;
  /** Process start, clock ticks since boot: the UPID's low half. */
  readonly startTicks: bigint;
  readonly vsizeBytes: number;
}

/** Set in `flags` for kernel threads (include/linux/sched.h). */
export const PF_KTHREAD = 0x00200000;

/** Parses /proc/PID/stat. The command name may hold spaces and parentheses: it ends at the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields from 3 (state) on; field N is at index N - 3.
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (f.length < 21) return undefined;
  const n = (field: number) => Number(f[field - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    flags: n(9),
    minorFaults: n(10),
    majorFaults: n(12),
    utimeTicks: n(14),
    stimeTicks: n(15),
    numThreads: n(20),
    startTicks: /^\d+$/.test(f[22 - 3]!) ? BigInt(f[22 - 3]!) : -1n,
    vsizeBytes: n(23),
  };
  const numbers = [stat.pid, stat.flags, stat.minorFaults, stat.majorFaults, stat.utimeTicks];
  if (numbers.some((v) => !Number.isFinite(v)) || stat.startTicks < 0n) return undefined;
  return stat;
}

/** Resident pages from /proc/PID/statm (its second field). */
export function parseStatmResident(text: string): number {
  const v = Number(text.split(' ')[1]);
  return Number.isFinite(v) ? v : 0;
}

/** The counters of /proc/PID/io; missing ones are 0. */
export interface ProcIo {
  readonly rchar: number;
  readonly wchar: number;
  readonly readBytes: number;
  readonly writeBytes: number;
}

export function parseIo(text: string): ProcIo {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) values.set(line.slice(0, colon), Number(line.slice(colon + 1)) || 0);
  }
  return {
    rchar: values.get('rchar') ?? 0,
    wchar: values.get('wchar') ?? 0,
    readBytes: values.get('read_bytes') ?? 0,
    writeBytes: values.get('write_bytes') ?? 0,
  };
}

/** One interface's counters from /proc/PID/net/dev. */
export interface NetDevCounters {
  readonly iface: string;
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDrops: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDrops: number;
}

/** Parses /proc/PID/net/dev: two header lines, then `iface: 8 receive and 8 transmit counters`. */
export function parseNetDev(text: string): NetDevCounters[] {
  const out: NetDevCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (v.length < 16 || v.some((x) => !Number.isFinite(x))) continue;
    out.push({
      iface: line.slice(0, colon).trim(),
      rxBytes: v[0]!,
      rxPackets: v[1]!,
      rxErrors: v[2]!,
      rxDrops: v[3]!,
      txBytes: v[8]!,
      txPackets: v[9]!,
      txErrors: v[10]!,
      txDrops: v[11]!,
    });
  }
  return out;
}

/** /proc/PID/cmdline as one line: NUL-separated arguments joined by spaces. */
export function parseCmdline(raw: Buffer): string {
  return raw.toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
}
