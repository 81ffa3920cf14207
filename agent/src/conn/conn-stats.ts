import { Uint128 } from '../../../shared/contract/uint128';
import { Row } from '../transport/row';
import { Connection } from './connection';

interface Entry {
  readonly upid: Uint128;
  readonly tgid: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly role: number;
  family: number;
  protocol: number;
  ssl: boolean;
  opens: number;
  closes: number;
  closedSent: number;
  closedRecv: number;
  readonly active: Set<Connection>;
  dirty: boolean;
}

/**
 * conn_stats as Pixie keeps it: per (process, remote address, remote port, role), counts of
 * connections opened, closed and active and bytes each way, cumulative since tracing began.
 * `rows()` emits the groups that changed since the last call. A group lives as long as its
 * process; at most `maxGroups` are kept (idle ones are forgotten first).
 */
export class ConnStatsAggregator {
  private readonly groups = new Map<string, Entry>();

  constructor(private readonly maxGroups = 65536) {}

  opened(c: Connection): void {
    const e = this.entry(c);
    e.opens++;
    e.active.add(c);
    this.touch(e, c);
  }

  changed(c: Connection): void {
    this.touch(this.entry(c), c);
  }

  closed(c: Connection): void {
    const e = this.entry(c);
    if (e.active.delete(c)) {
      e.closes++;
      e.closedSent += c.bytesSent;
      e.closedRecv += c.bytesRecv;
    }
    this.touch(e, c);
  }

  /** One row per group that changed, with cumulative values. */
  rows(timeNs: bigint): Row[] {
    const rows: Row[] = [];
    for (const e of this.groups.values()) {
      if (!e.dirty) continue;
      e.dirty = false;
      let sent = e.closedSent;
      let recv = e.closedRecv;
      for (const c of e.active) {
        sent += c.bytesSent;
        recv += c.bytesRecv;
      }
      rows.push({
        time_: timeNs,
        upid: e.upid,
        remote_addr: e.remoteAddr,
        remote_port: e.remotePort,
        trace_role: e.role,
        addr_family: e.family,
        protocol: e.protocol,
        ssl: e.ssl,
        conn_open: e.opens,
        conn_close: e.closes,
        conn_active: e.active.size,
        bytes_sent: sent,
        bytes_recv: recv,
      });
    }
    return rows;
  }

  /** Forgets the groups of processes that exited, once their last change was reported. */
  retainProcesses(isAlive: (tgid: number) => boolean): void {
    for (const [key, e] of this.groups) {
      if (!e.dirty && !isAlive(e.tgid)) this.groups.delete(key);
    }
  }

  size(): number {
    return this.groups.size;
  }

  private entry(c: Connection): Entry {
    const key =
      (c.statsKey ??= `${c.upid.high}:${c.upid.low}|${c.remoteAddr}|${c.remotePort}|${c.role}`);
    let e = this.groups.get(key);
    if (!e) {
      if (this.groups.size >= this.maxGroups) this.evictIdle();
      e = {
        upid: c.upid,
        tgid: c.tgid,
        remoteAddr: c.remoteAddr,
        remotePort: c.remotePort,
        role: c.role,
        family: c.family,
        protocol: c.protocol,
        ssl: c.ssl,
        opens: 0,
        closes: 0,
        closedSent: 0,
        closedRecv: 0,
        active: new Set(),
        dirty: true,
      };
      this.groups.set(key, e);
    }
    return e;
  }

  private touch(e: Entry, c: Connection): void {
    e.family = c.family;
    if (c.protocol !== 0) e.protocol = c.protocol;
    if (c.ssl) e.ssl = true;
    e.dirty = true;
  }

  private evictIdle(): void {
    for (const [key, e] of this.groups) {
      if (e.active.size === 0 && !e.dirty) {
        this.groups.delete(key);
        return;
      }
    }
    const [oldest] = this.groups.keys();
    if (oldest !== undefined) this.groups.delete(oldest);
  }
}
