import { Command, InvalidArgumentError, Option } from 'commander';
import { startLocalAgent, startStandaloneAgent } from './agent-commands';
import { LOG_FORMATS, LOG_LEVELS, Logger, createLogger } from '../shared/common/logger';
import { PXGATE_VERSION } from '../gateway/src/common/package-info';
import { loadConfig } from './config/load';
import { Config } from './config/schema';
import { Gateway } from '../gateway/src/gateway';
import {
  ConnectionOptions,
  GatewayTlsOptions,
  connect,
  withConnectionOptions,
  withGatewayTlsOptions,
} from './client';
import { ExportOptions, exportFlags, withExportOptions } from './export-options';
import { addExportsCommand } from './exports-command';
import { formatTable } from './format/text-table';
import { withExamples } from './help';
import { addLiveCommand } from './live/live-command';
import { addRunCommand } from './run-script';
import { addScriptsCommand } from './scripts-command';
import { defaultDataDir } from './state-dir';

interface ServerOptions extends ExportOptions {
  config?: string;
  listen?: string;
  logLevel?: string;
  logFormat?: string;
  storeLimitMb?: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsClientCaFile?: string;
  insecureListen?: boolean;
  dataDir?: string;
  inMemory?: boolean;
  nats?: string;
  cluster?: string;
}

interface AgentOptions extends GatewayTlsOptions {
  config?: string;
  gateway?: string;
  metricsListen?: string;
  logLevel?: string;
  logFormat?: string;
  nats?: string;
  cluster?: string;
}

interface TablesOptions extends ConnectionOptions {
  format: 'table' | 'json';
}

/** Runs the pxgate command line. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('pxgate')
    .description('Pixie-style eBPF telemetry, served to Grafana, Prometheus and OTLP backends')
    .version(PXGATE_VERSION, '-V, --version', "print pxgate's version")
    .showHelpAfterError();
  withExamples(program, [
    'pxgate start',
    'pxgate scripts',
    'pxgate run px/http_data',
    'pxgate live px/http_data',
    'pxgate start --help',
  ]);

  withExamples(
    withServerOptions(program.command('start'), `default ${defaultDataDir()}`)
      .description('run the gateway with a local agent (the embedded default)')
      .action((opts: ServerOptions) => runStart(opts)),
    [
      'pxgate start',
      'pxgate start --in-memory --listen 127.0.0.1:8095',
      'pxgate start --export-presets http-metrics --remote-write-url http://127.0.0.1:9090/api/v1/write',
    ],
  );

  withExamples(
    withClusterOptions(
      withServerOptions(program.command('gateway'), 'default: none, data is kept in memory only'),
    )
      .description('run a gateway alone, or one of a cluster on NATS JetStream (--nats)')
      .action((opts: ServerOptions) => runGateway(opts)),
    [
      'pxgate gateway --data-dir /var/lib/pxgate',
      'pxgate gateway --config pxgate.yaml --listen 0.0.0.0:8090',
      'pxgate gateway --nats nats://nats:4222 --cluster prod',
    ],
  );

  withExamples(
    withClusterOptions(withGatewayTlsOptions(withProcessOptions(program.command('agent'))))
      .description('run an agent alone, sending to a gateway')
      .option('--gateway <url>', 'gateway URL (default http://127.0.0.1:8090, or $PXGATE_GATEWAY)')
      .option(
        '--metrics-listen <host:port>',
        "address of the agent's /metrics (default 127.0.0.1:8091)",
      )
      .action((opts: AgentOptions) => runAgent(opts)),
    [
      'sudo pxgate agent --gateway https://gw.example:8090 --token-file /etc/pxgate/token',
      'sudo pxgate agent --nats nats://nats:4222 --cluster prod',
    ],
  );

  withExamples(
    withConnectionOptions(program.command('tables'))
      .description("list the gateway's tables with their columns and sizes")
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['table', 'json'])
          .default('table'),
      )
      .action((opts: TablesOptions) => listTables(opts)),
    ['pxgate tables', 'pxgate tables --format json --gateway http://127.0.0.1:8095'],
  );

  addRunCommand(program);
  addLiveCommand(program);
  addScriptsCommand(program);
  addExportsCommand(program);

  await program.parseAsync(argv as string[]);
}

/** `--config` and `--log-level`, for the commands that run a long-lived process. */
function withProcessOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML config file')
    .addOption(
      new Option('--log-level <level>', 'log level').choices(LOG_LEVELS as unknown as string[]),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines for people (text) or collectors (json); unset: text when stderr is a terminal',
      ).choices(LOG_FORMATS as unknown as string[]),
    );
}

/** `--nats` and `--cluster`: a gateway or agent of a cluster on NATS JetStream. */
function withClusterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--nats <url>',
      "the cluster's NATS server, nats://HOST:PORT (or $PXGATE_NATS_URL; docs/scale-out.md)",
    )
    .option('--cluster <name>', 'the cluster name, one stream per name (default "default")');
}

function withServerOptions(cmd: Command, dataDirDefault: string): Command {
  const base = withProcessOptions(cmd)
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8090)')
    .option(
      '--store-limit-mb <mib>',
      'memory budget of the table store in MiB (default 1280)',
      positiveNumber,
    )
    .option('--tls-cert-file <file>', 'PEM certificate (chain) of the listener: serve HTTPS')
    .option('--tls-key-file <file>', "the listener certificate's PEM key")
    .option(
      '--tls-client-ca-file <file>',
      'PEM CA of client certificates: agents (tls.clientCertRequiredFor) must present one it signed',
    )
    .option(
      '--insecure-listen',
      'allow listening beyond loopback without TLS or without a token (docs/security.md)',
    )
    .option(
      '--data-dir <dir>',
      `keep acknowledged rows and export cursors here, across restarts (${dataDirDefault}; or $PXGATE_DATA_DIR)`,
    )
    .addOption(
      new Option('--in-memory', 'keep no data directory: a restart starts empty').conflicts(
        'dataDir',
      ),
    );
  return withExportOptions(base);
}

/**
 * The server's configuration. `pxgate start` keeps its data in the user's state directory
 * unless a data directory is configured or `--in-memory` is given; `pxgate gateway` keeps it
 * in memory unless one is configured.
 */
function serverConfig(opts: ServerOptions, command: 'start' | 'gateway'): Config {
  const config = loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    flags: {
      listen: opts.listen,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
      'store.limitMb': opts.storeLimitMb,
      'tls.certFile': opts.tlsCertFile,
      'tls.keyFile': opts.tlsKeyFile,
      'tls.clientCaFile': opts.tlsClientCaFile,
      insecureListen: opts.insecureListen,
      'store.dataDir': opts.dataDir,
      'cluster.nats.url': opts.nats,
      'cluster.name': opts.cluster,
      ...exportFlags(opts),
    },
  });
  if (opts.inMemory) config.store.dataDir = undefined;
  // In a cluster the stream is the durable copy: no default data directory then.
  else if (command === 'start' && !config.cluster.nats.url) {
    config.store.dataDir ??= defaultDataDir();
  }
  return config;
}

/** The log line that says where the data lives, or that it lives in memory only. */
function logDataDir(log: Logger, config: Config): void {
  if (config.cluster.nats.url) {
    log.info(
      { nats: config.cluster.nats.url, cluster: config.cluster.name },
      'cluster mode: the NATS stream keeps the window, this gateway a share of it in memory',
    );
  } else if (config.store.dataDir) {
    log.info(
      { dataDir: config.store.dataDir, fsync: config.store.fsync },
      'keeping acknowledged rows and export cursors in the data directory',
    );
  } else {
    log.info('no data directory: rows and export cursors are kept in memory, and lost at restart');
  }
}

async function runGateway(opts: ServerOptions): Promise<void> {
  const config = serverConfig(opts, 'gateway');
  const log = createLogger(config.logLevel, config.logFormat);
  logDataDir(log, config);
  const gateway = await Gateway.create(config, log);
  await gateway.start();
  await untilSignal(log, () => gateway.shutdown());
}

async function runStart(opts: ServerOptions): Promise<void> {
  const config = serverConfig(opts, 'start');
  const log = createLogger(config.logLevel, config.logFormat);
  logDataDir(log, config);
  const gateway = await Gateway.create(config, log);
  const { url } = await gateway.start();
  const agent = await startLocalAgent(gateway, url, config, log);
  await untilSignal(log, async () => {
    await agent.shutdown();
    await gateway.shutdown();
  });
}

async function runAgent(opts: AgentOptions): Promise<void> {
  const config = loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    flags: {
      'agent.gateway': opts.gateway,
      'agent.metricsListen': opts.metricsListen,
      'agent.tokenFile': opts.tokenFile,
      'agent.tls.caFile': opts.caFile,
      'agent.tls.certFile': opts.certFile,
      'agent.tls.keyFile': opts.keyFile,
      'cluster.nats.url': opts.nats,
      'cluster.name': opts.cluster,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
    },
  });
  const log = createLogger(config.logLevel, config.logFormat);
  const agent = await startStandaloneAgent(config, log);
  await untilSignal(log, () => agent.shutdown());
}

/** Waits for SIGINT or SIGTERM, then runs the shutdown once; a second signal exits at once. */
function untilSignal(
  log: { info(msg: string): void },
  shutdown: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      log.info(`received ${signal}, shutting down`);
      shutdown().then(resolve, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function listTables(opts: TablesOptions): Promise<void> {
  const client = connect(opts);
  const body = await client.get<{
    tables: { name: string; columns: unknown[]; rows: number; bytes: number }[];
  }>('/v1/tables');
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  const rows = body.tables.map((t) => [t.name, t.columns.length, t.rows, t.bytes]);
  process.stdout.write(`${formatTable(['table', 'columns', 'rows', 'bytes'], rows)}\n`);
}

function positiveNumber(text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a positive number');
  return v;
}
