import { Command, Option } from 'commander';
import { EXPORT_PRESETS, OTLP_PROTOCOLS } from './config/export-schema';

/** The export flags of the server commands. */
export interface ExportOptions {
  otlpEndpoint?: string;
  otlpProtocol?: string;
  remoteWriteUrl?: string;
  exportInterval?: string;
  exportPresets?: string;
  exportScript?: string[];
  every?: string;
}

/** Adds the export flags to a server command. */
export function withExportOptions(cmd: Command): Command {
  return cmd
    .option(
      '--otlp-endpoint <url>',
      'OTLP base URL (over HTTP, /v1/traces and /v1/metrics are appended)',
    )
    .addOption(
      new Option(
        '--otlp-protocol <protocol>',
        'OTLP transport (default: grpc for an endpoint on port 4317, else http/protobuf; env OTEL_EXPORTER_OTLP_PROTOCOL)',
      ).choices(OTLP_PROTOCOLS),
    )
    .option('--remote-write-url <url>', 'Prometheus remote-write URL')
    .option(
      '--export-interval <duration>',
      'how often export presets and scripts run (default 10s)',
    )
    .option('--export-presets <list>', `bundled exports to run: ${EXPORT_PRESETS.join(',')}`)
    .option('--export-script <file>', 'a PxL export script to run (repeatable)', collect)
    .option(
      '--every <duration>',
      'how often the --export-script scripts run (default: --export-interval)',
    );
}

/** The export flags as config keys (dotted paths), for loadConfig. */
export function exportFlags(
  opts: ExportOptions,
): Record<string, string | { file: string; every?: string }[] | undefined> {
  const scripts = opts.exportScript ?? [];
  return {
    'export.otlp.endpoint': opts.otlpEndpoint,
    'export.otlp.protocol': opts.otlpProtocol,
    'export.remoteWrite.url': opts.remoteWriteUrl,
    'export.interval': opts.exportInterval,
    'export.presets': opts.exportPresets,
    'export.scripts':
      scripts.length > 0
        ? scripts.map((file) => ({ file, ...(opts.every ? { every: opts.every } : {}) }))
        : undefined,
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
