import { readFile } from 'node:fs/promises';
import { Row } from '../transport/row';
import { NetDevCounters, parseNetDev } from './proc-files';
import { ProcessSample } from './process-scanner';

/** Interfaces left out of pod traffic, as Pixie does: loopback, veth ends, docker bridges. */
const IGNORED_PREFIXES = ['lo', 'v', 'docker'];

/**
 * network_stats rows, one per network namespace: the counters of its interfaces (read through
 * any one of its processes' /proc/PID/net/dev) summed. A namespace is reported when its
 * processes belong to a pod (pod_id is the pod UID) or when it is the host's (pod_id '').
 */
export async function networkStatsRows(
  samples: readonly ProcessSample[],
  podUidOf: (pid: number) => string,
  hostNetns: string,
  timeNs: bigint,
  procRoot = '/proc',
): Promise<Row[]> {
  const byNetns = new Map<string, { pid: number; podUid: string }>();
  for (const s of samples) {
    if (!s.netns) continue;
    const podUid = podUidOf(s.upid.pid);
    const known = byNetns.get(s.netns);
    if (!known || (!known.podUid && podUid)) byNetns.set(s.netns, { pid: s.upid.pid, podUid });
  }
  const rows: Row[] = [];
  for (const [netns, { pid, podUid }] of byNetns) {
    if (!podUid && netns !== hostNetns) continue;
    const text = await readFile(`${procRoot}/${pid}/net/dev`, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const sum = sumCounters(parseNetDev(text).filter((d) => !ignored(d.iface)));
    rows.push({
      time_: timeNs,
      pod_id: podUid,
      rx_bytes: sum.rxBytes,
      rx_packets: sum.rxPackets,
      rx_errors: sum.rxErrors,
      rx_drops: sum.rxDrops,
      tx_bytes: sum.txBytes,
      tx_packets: sum.txPackets,
      tx_errors: sum.txErrors,
      tx_drops: sum.txDrops,
    });
  }
  return rows;
}

function ignored(iface: string): boolean {
  return IGNORED_PREFIXES.some((p) => iface.startsWith(p));
}

function sumCounters(devs: readonly NetDevCounters[]): Omit<NetDevCounters, 'iface'> {
  const total = {
    rxBytes: 0,
    rxPackets: 0,
    rxErrors: 0,
    rxDrops: 0,
    txBytes: 0,
    txPackets: 0,
    txErrors: 0,
    txDrops: 0,
  };
  for (const d of devs) {
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += d[k];
  }
  return total;
}
