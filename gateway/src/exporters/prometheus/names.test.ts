import { formatFloat, labelName, metricName } from './names';

describe('Prometheus names from OpenTelemetry', () => {
  it.each([
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['process.memory.usage', 'By', 'gauge', 'process_memory_usage_bytes'],
    ['system.network.dropped', '{packets}', 'counter', 'system_network_dropped_total'],
    ['http.server.requests', '{request}', 'counter', 'http_server_requests_total'],
    ['cpu.utilization', '1', 'gauge', 'cpu_utilization_ratio'],
    ['k8s.pod.network.io', 'By', 'counter', 'k8s_pod_network_io_bytes_total'],
    ['net.throughput', 'By/s', 'gauge', 'net_throughput_bytes_per_second'],
    ['requests_total', '', 'counter', 'requests_total'],
    ['latency_seconds', 's', 'histogram', 'latency_seconds'],
    ['a..b--c', '', 'gauge', 'a_b_c'],
    ['9lives', '', 'gauge', '_9lives'],
  ] as const)('%s [%s] as a %s is %s', (name, unit, kind, want) => {
    expect(metricName(name, unit, kind)).toBe(want);
  });

  it('sanitizes label names and prefixes those starting with a digit', () => {
    expect(labelName('http.request.method')).toBe('http_request_method');
    expect(labelName('k8s.pod.name')).toBe('k8s_pod_name');
    expect(labelName('2xx')).toBe('key_2xx');
    expect(labelName('a..b')).toBe('a_b');
  });

  it('formats bucket bounds as Prometheus does', () => {
    expect([0.005, 0.1, 1, 2.5, 10, 1e-5, 1e6, Infinity].map(formatFloat)).toEqual([
      '0.005',
      '0.1',
      '1',
      '2.5',
      '10',
      '1e-05',
      '1e+06',
      '+Inf',
    ]);
  });
});
