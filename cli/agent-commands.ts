import { Registry, collectDefaultMetrics } from 'prom-client';
import { Logger } from '../shared/common/logger';
import { Config } from './config/schema';
import { Gateway } from '../gateway/src/gateway';
import { Agent } from '../agent/src/agent';
import { AgentMetrics } from '../agent/src/metrics/agent-metrics';
import { MetricsServer } from '../agent/src/metrics/metrics-server';
import { GatewayCredentials, configuredSources } from '../agent/src/transport/gateway-credentials';

/** Something `pxgate` runs until a signal: stop it with `shutdown()`. */
export interface Running {
  shutdown(): Promise<void>;
}

/**
 * `pxgate start`'s agent: it sends to the gateway of the same process (its own traffic is never
 * traced, the kernel side skips this process), and its metrics join the gateway's /metrics. It
 * needs no token or CA of its own: the gateway issues it an ingest token, and it trusts exactly
 * the certificate the gateway serves. A client certificate (mutual TLS) comes from agent.tls.
 */
export async function startLocalAgent(
  gateway: Gateway,
  gatewayUrl: string,
  config: Config,
  log: Logger,
): Promise<Agent> {
  const { token, pin } = gateway.localAgentAccess();
  const agent = new Agent({
    config: config.agent,
    gatewayUrl,
    credentials: new GatewayCredentials(
      { ...configuredSources(config), tokenFile: undefined, token, pin },
      log,
    ),
    log: log.child({ component: 'agent' }),
    metrics: new AgentMetrics(gateway.metrics.registry),
  });
  await agent.start();
  return agent;
}

/**
 * `pxgate agent`: an agent alone, sending to `agent.gateway` (or publishing to the cluster's
 * NATS stream with `cluster.nats.url`), with its own /metrics.
 */
export async function startStandaloneAgent(config: Config, log: Logger): Promise<Running> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const server = new MetricsServer(registry, config.agent.metricsListen);
  const metricsUrl = await server.start();
  log.info({ url: `${metricsUrl}/metrics` }, 'agent metrics listening');
  const agent = new Agent({
    config: config.agent,
    gatewayUrl: config.agent.gateway,
    credentials: new GatewayCredentials(configuredSources(config), log),
    log,
    metrics: new AgentMetrics(registry),
    ...(config.cluster.nats.url
      ? { nats: { options: config.cluster.nats, cluster: config.cluster.name } }
      : {}),
  });
  await agent.start();
  return {
    shutdown: async () => {
      await agent.shutdown();
      await server.shutdown();
    },
  };
}
