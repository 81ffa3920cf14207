import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { parseHostPort } from '../../../shared/common/listen';
import { listenOn } from '../../../shared/common/listen-on';

/** `pxgate agent`'s own HTTP endpoint: GET /metrics (Prometheus text) and GET /healthz. */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly listen: string,
  ) {}

  async start(): Promise<string> {
    const { host, port } = parseHostPort(this.listen);
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.method === 'GET' && path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    await listenOn(
      server,
      port,
      host,
      "give the agent's /metrics another address with --metrics-listen HOST:PORT (config key agent.metricsListen)",
    );
    const address = server.address() as AddressInfo;
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server?.listening) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }
}
