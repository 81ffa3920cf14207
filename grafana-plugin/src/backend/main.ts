/**
 * The backend executable's entry point (`gpx_pxgate_<os>_<arch>`). Grafana starts it with
 * go-plugin's environment; it checks the handshake, serves gRPC on loopback, prints the
 * handshake line as its first stdout line, logs hclog JSON to stderr, and exits once Grafana
 * asks it to shut down (or on SIGTERM). Interrupts are ignored, as go-plugin's servers do: a
 * Ctrl-C in Grafana's terminal reaches the plugin too, and Grafana stops it itself.
 */
import scripts from '@pxgate/scripts';

import { version } from '../../package.json';
import { HclogLogger, logLevel } from './hclog';
import { PluginMetrics } from './metrics';
import { PxgateBackend } from './PxgateBackend';
import { checkHandshakeEnv, handshakeLine, portRange } from './server/handshake';
import { PluginServer } from './server/PluginServer';

async function main(): Promise<number> {
  const check = checkHandshakeEnv(process.env);
  if (!check.ok) {
    process.stderr.write(`${check.message}\n`);
    return 1;
  }
  const log = new HclogLogger(
    (line) => process.stderr.write(`${line}\n`),
    logLevel(process.env.GF_PLUGIN_LOG_LEVEL),
  );
  const backend = new PxgateBackend({
    log,
    metrics: new PluginMetrics(),
    catalog: scripts,
    version,
  });
  const server = new PluginServer(backend, log);
  const address = await server.start(portRange(process.env));
  process.stdout.write(`${handshakeLine(address)}\n`);
  log.info('pxgate backend started', { address, version, grafana: process.env.GF_VERSION });
  process.on('SIGINT', () => log.debug('interrupt ignored: Grafana stops the plugin'));
  process.on('SIGTERM', () => void server.shutdown());
  await server.closed;
  log.info('pxgate backend stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `pxgate backend failed to start: ${String((err as Error)?.message ?? err)}\n`,
    );
    process.exit(1);
  },
);
