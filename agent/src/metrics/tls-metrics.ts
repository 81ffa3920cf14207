import { Counter, Gauge, Registry } from 'prom-client';
import { TracerCounters } from '../ebpf/socket-tracer';
import { TlsProbeCounters } from '../tls/tls-probes';

/** Where the TLS metrics read their values at scrape time. */
export interface TlsSources {
  tracerCounters(): TracerCounters | undefined;
  tlsProbes(): TlsProbeCounters | undefined;
}

/**
 * The agent's TLS metrics (`pxgate_agent_tls_*`): the files with uprobes, and what could not be
 * read. Their values are cumulative in the kernel and in TlsProbes; a scrape adds to each
 * counter what its value gained since the last scrape.
 */
export function registerTlsMetrics(
  registry: Registry,
  sources: () => TlsSources | undefined,
): void {
  const registers = [registry];
  const probes = () => sources()?.tlsProbes();
  const attached: Gauge = new Gauge({
    name: 'pxgate_agent_tls_files_attached',
    help: 'Files (libssl.so.*, executables with OpenSSL inside) whose SSL_* functions have uprobes.',
    registers,
    collect: () => attached.set(probes()?.filesAttached ?? 0),
  });
  cumulative(
    registry,
    'pxgate_agent_tls_files_examined_total',
    'Mapped executable files looked at for OpenSSL functions.',
    () => ({ '': probes()?.filesExamined }),
  );
  cumulative(
    registry,
    'pxgate_agent_tls_file_errors_total',
    'Files that could not be read, or whose uprobes the kernel refused (see the log).',
    () => ({ '': probes()?.fileErrors }),
  );
  cumulative(
    registry,
    'pxgate_agent_tls_processes_dropped_total',
    'Processes not looked at for TLS libraries because too many were waiting.',
    () => ({ '': probes()?.processesDropped }),
  );
  cumulative(
    registry,
    'pxgate_agent_tls_plaintext_lost_total',
    'SSL_* calls whose plaintext was lost, by reason: no_socket (its socket could not be told), untracked (a connection opened before tracing began).',
    () => {
      const k = sources()?.tracerCounters();
      return { no_socket: k?.tlsNoSocket, untracked: k?.tlsUntracked };
    },
    'reason',
  );
}

/**
 * A counter that follows cumulative values read at scrape time, one per value of `label` (the
 * key '' when it has none).
 */
function cumulative(
  registry: Registry,
  name: string,
  help: string,
  read: () => Record<string, number | undefined>,
  label?: string,
): void {
  const last = new Map<string, number>();
  const counter: Counter<string> = new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers: [registry],
    collect: () => {
      for (const [value, now] of Object.entries(read())) {
        const before = last.get(value) ?? 0;
        if (now === undefined || now <= before) continue;
        counter.inc(label ? { [label]: value } : {}, now - before);
        last.set(value, now);
      }
    },
  });
}
