import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { Agent } from '../../agent/src/agent';
import { AgentMetrics } from '../../agent/src/metrics/agent-metrics';
import { validateConfig } from '../../cli/config/load';
import { ClusterSubjects } from '../../shared/contract/cluster-subjects';
import { silentLogger } from '../../shared/common/logger';
import { TestGateway } from '../support/gateway';
import { startClusterGateway, storedValues, untilMembers } from '../support/cluster-gateways';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

/** The stream keeps messages 2 s: the longest retention of any table. */
const STORE = { tables: { process_stats: { retention: '2s' } } };
const OWN_CMDLINE = `SELECT cmdline FROM _md_processes WHERE pid = ${process.pid}`;

describeIfAvailable(
  'process metadata in a cluster stream that ages messages out',
  natsUnavailable(),
  () => {
    let nats: RunningNats;
    const gateways: TestGateway[] = [];
    let agent: Agent | undefined;

    beforeAll(async () => {
      nats = await startNats();
    });
    afterAll(async () => {
      await agent?.shutdown();
      await Promise.all(gateways.map((g) => g.close()));
      await nats?.close();
    });

    it('reaches a gateway that joins after the first report aged out, because the agent sends it again', async () => {
      gateways.push(await startClusterGateway(nats.url, 'gw-1', { store: STORE }));
      await untilMembers([gateways[0]!.url], ['gw-1']);
      const config = validateConfig({
        agent: {
          ebpf: { enabled: false },
          processInterval: '200ms',
          metadataRefresh: '300ms',
          batch: { maxDelay: '100ms' },
        },
      }).agent;
      agent = new Agent({
        config,
        gatewayUrl: 'http://127.0.0.1:1',
        log: silentLogger(),
        metrics: new AgentMetrics(new Registry()),
        nats: { options: { url: nats.url, tls: {} }, cluster: 'test' },
      });
      await agent.start();
      await waitFor(
        () => storedValues(gateways[0]!.gateway, OWN_CMDLINE),
        (v) => v.length === 1 && v[0]!.includes('node'),
        { what: "this process's metadata at gw-1" },
      );

      // The first report of this process leaves the stream (it is older than the stream's age).
      const names = new ClusterSubjects('test');
      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        // Every message up to now, the first report among them, has left the stream.
        const reported = (await jsm.streams.info(names.stream)).state.last_seq;
        await waitFor(
          async () => (await jsm.streams.info(names.stream)).state.first_seq,
          (seq) => seq > reported,
          { timeoutMs: 15_000, what: 'the first metadata report aged out of the stream' },
        );
      } finally {
        await nc.close();
      }

      // A gateway that joins now rebuilds its metadata from the stream alone.
      gateways.push(await startClusterGateway(nats.url, 'gw-2', { store: STORE }));
      const seen = await waitFor(
        () => storedValues(gateways[1]!.gateway, OWN_CMDLINE),
        (v) => v.length === 1,
        { what: "this process's metadata at gw-2, which joined after the first report aged out" },
      );
      expect(seen).toEqual(await storedValues(gateways[0]!.gateway, OWN_CMDLINE));
    });
  },
);
