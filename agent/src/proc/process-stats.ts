import { Row } from '../transport/row';
import { NS_PER_TICK } from './host';
import { ProcessSample } from './process-scanner';
import { upidHalves } from './upid';

/** A process_stats row (Pixie's columns) from one scan sample. */
export function processStatsRow(s: ProcessSample, timeNs: bigint, pageSize: number): Row {
  return {
    time_: timeNs,
    upid: upidHalves(s.upid),
    major_faults: s.stat.majorFaults,
    minor_faults: s.stat.minorFaults,
    cpu_utime_ns: BigInt(s.stat.utimeTicks) * NS_PER_TICK,
    cpu_ktime_ns: BigInt(s.stat.stimeTicks) * NS_PER_TICK,
    num_threads: s.stat.numThreads,
    vsize_bytes: s.stat.vsizeBytes,
    rss_bytes: s.residentPages * pageSize,
    rchar_bytes: s.io.rchar,
    wchar_bytes: s.io.wchar,
    read_bytes: s.io.readBytes,
    write_bytes: s.io.writeBytes,
  };
}
