import { Registry } from 'prom-client';
import { TracerCounters } from '../ebpf/socket-tracer';
import { TlsProbeCounters } from '../tls/tls-probes';
import { AgentMetrics } from './agent-metrics';

/** Metrics in a fresh registry over live-looking parts whose counters the test changes. */
function observed() {
  const registry = new Registry();
  const metrics = new AgentMetrics(registry);
  const tracer: { -readonly [K in keyof TracerCounters]: number } = {
    ringbufDrops: 5,
    connEvents: 0,
    dataEvents: 0,
    connEvicted: 0,
    unclassified: 3,
    datagramsUncaptured: 2,
    tlsEvents: 10,
    tlsNoSocket: 3,
    tlsUntracked: 1,
    execEvents: 7,
  };
  const probes: { -readonly [K in keyof TlsProbeCounters]: number } = {
    filesAttached: 2,
    filesExamined: 40,
    fileErrors: 1,
    processesDropped: 0,
    rescans: 1,
  };
  metrics.observe({
    bufferBytes: () => 123,
    connections: () => 7,
    tracerCounters: () => tracer,
    tlsProbes: () => probes,
  });
  return { registry, tracer, probes };
}

describe('AgentMetrics', () => {
  it('reads the scrape-time values from the live agent parts', async () => {
    const { registry, tracer } = observed();
    let text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_buffer_bytes 123$/m);
    expect(text).toMatch(/^pxgate_agent_connections 7$/m);
    expect(text).toMatch(/^pxgate_agent_ringbuf_drops_total 5$/m);
    expect(text).toMatch(/^pxgate_agent_unclassified_connections_total 3$/m);
    expect(text).toMatch(/^pxgate_agent_datagrams_uncaptured_total 2$/m);
    tracer.ringbufDrops = 9;
    text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_ringbuf_drops_total 9$/m);
  });

  it('reports the TLS uprobes: files attached, files looked at and plaintext lost by reason', async () => {
    const { registry, tracer, probes } = observed();
    let text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_tls_files_attached 2$/m);
    expect(text).toMatch(/^pxgate_agent_tls_files_examined_total 40$/m);
    expect(text).toMatch(/^pxgate_agent_tls_file_errors_total 1$/m);
    expect(text).toMatch(/^pxgate_agent_tls_plaintext_lost_total\{reason="no_socket"\} 3$/m);
    expect(text).toMatch(/^pxgate_agent_tls_plaintext_lost_total\{reason="untracked"\} 1$/m);
    tracer.tlsNoSocket = 5;
    probes.filesExamined = 41;
    probes.filesAttached = 1;
    text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_tls_plaintext_lost_total\{reason="no_socket"\} 5$/m);
    expect(text).toMatch(/^pxgate_agent_tls_files_examined_total 41$/m);
    expect(text).toMatch(/^pxgate_agent_tls_files_attached 1$/m);
  });

  it('counts parse errors (and by kind where a protocol tells them apart) and connections that went opaque per protocol', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics(registry);
    metrics.parseErrors('dns', 2);
    metrics.parseErrors('pgsql', 1);
    metrics.parseErrors('dns', 3);
    metrics.opaqueConnection('mysql');
    metrics.parseErrorKind('http2', 'unknownIndexFields', 4);
    metrics.parseErrorKind('http2', 'lostSync', 1);
    const text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_parse_errors_total\{protocol="dns"\} 5$/m);
    expect(text).toMatch(/^pxgate_agent_parse_errors_total\{protocol="pgsql"\} 1$/m);
    expect(text).toMatch(/^pxgate_agent_opaque_connections_total\{protocol="mysql"\} 1$/m);
    expect(text).toMatch(
      /^pxgate_agent_parse_errors_by_kind_total\{protocol="http2",kind="unknown_index_fields"\} 4$/m,
    );
    expect(text).toMatch(
      /^pxgate_agent_parse_errors_by_kind_total\{protocol="http2",kind="lost_sync"\} 1$/m,
    );
  });
});
