import { Registry } from 'prom-client';
import { AgentMetrics } from './agent-metrics';

describe('AgentMetrics', () => {
  it('reads the scrape-time values from the live agent parts', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics(registry);
    let ringbufDrops = 5;
    metrics.observe({
      bufferBytes: () => 123,
      connections: () => 7,
      tracerCounters: () => ({
        ringbufDrops,
        connEvents: 0,
        dataEvents: 0,
        connEvicted: 0,
        unclassified: 3,
        datagramsUncaptured: 2,
      }),
    });
    let text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_buffer_bytes 123$/m);
    expect(text).toMatch(/^pxgate_agent_connections 7$/m);
    expect(text).toMatch(/^pxgate_agent_ringbuf_drops_total 5$/m);
    expect(text).toMatch(/^pxgate_agent_unclassified_connections_total 3$/m);
    expect(text).toMatch(/^pxgate_agent_datagrams_uncaptured_total 2$/m);
    ringbufDrops = 9;
    text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_ringbuf_drops_total 9$/m);
  });

  it('counts parse errors and connections that went opaque per protocol', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics(registry);
    metrics.parseErrors('dns', 2);
    metrics.parseErrors('pgsql', 1);
    metrics.parseErrors('dns', 3);
    metrics.opaqueConnection('mysql');
    const text = await registry.metrics();
    expect(text).toMatch(/^pxgate_agent_parse_errors_total\{protocol="dns"\} 5$/m);
    expect(text).toMatch(/^pxgate_agent_parse_errors_total\{protocol="pgsql"\} 1$/m);
    expect(text).toMatch(/^pxgate_agent_opaque_connections_total\{protocol="mysql"\} 1$/m);
  });
});
