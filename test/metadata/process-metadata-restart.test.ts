import { Registry } from 'prom-client';
import { Agent } from '../../agent/src/agent';
import { AgentMetrics } from '../../agent/src/metrics/agent-metrics';
import { silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { TestGateway, postJson, startTestGateway } from '../support/gateway';
import { waitFor } from '../support/wait';

/** This test process's process_stats rows in a gateway, with the command line PxL resolves. */
async function ownRows(url: string): Promise<{ upid: string; cmdline: string }[]> {
  const script = `import px
df = px.DataFrame(table='process_stats', start_time='-10m')
df.cmdline = df.ctx['cmdline']
df.pid = px.upid_to_pid(df.upid)
df = df[df.pid == ${process.pid}]
px.display(df[['upid', 'cmdline']], 'rows')
`;
  const { status, body } = await postJson(`${url}/v1/query`, { script });
  if (status !== 200) throw new Error(`query failed: ${status} ${JSON.stringify(body)}`);
  return body.tables[0].rows.map((r: string[]) => ({ upid: r[0], cmdline: r[1] }));
}

describe('process metadata across a gateway restart', () => {
  let gw: TestGateway | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.shutdown();
    await gw?.close();
    gw = agent = undefined;
  });

  it('is sent again by the agent to the restarted gateway, so running processes keep their command line', async () => {
    gw = await startTestGateway();
    const port = new URL(gw.url).port;
    const config = validateConfig({
      agent: { ebpf: { enabled: false }, processInterval: '200ms', batch: { maxDelay: '100ms' } },
    }).agent;
    agent = new Agent({
      config,
      gatewayUrl: gw.url,
      log: silentLogger(),
      metrics: new AgentMetrics(new Registry()),
    });
    await agent.start();
    const before = await waitFor(
      () => ownRows(gw!.url),
      (rows) => rows.length >= 2,
      {
        what: 'process_stats rows of this process in the first gateway',
      },
    );
    expect(before.every((r) => r.cmdline.includes('node'))).toBe(true);

    // The gateway restarts in memory: everything it was told is gone, this process lives on.
    await gw.close();
    gw = await startTestGateway({ listen: `127.0.0.1:${port}` });
    const after = await waitFor(
      () => ownRows(gw!.url),
      (rows) => rows.length >= 3 && rows.every((r) => r.cmdline !== ''),
      { what: 'rows of this process in the restarted gateway, each with its command line' },
    );
    expect(after[0]!.cmdline).toBe(before[0]!.cmdline);
  });
});
