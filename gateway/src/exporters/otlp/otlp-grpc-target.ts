import { readFileSync } from 'node:fs';
import {
  ChannelCredentials,
  ChannelOptions,
  Client,
  Metadata,
  ServiceError,
  compressionAlgorithms,
  credentials,
} from '@grpc/grpc-js';
import { PXGATE_VERSION } from '../../common/package-info';
import { retryableError } from '../common/errors';
import { TlsSettings } from '../common/http-client';
import { Encoded, EncodedRequest, PushResult, PushTarget } from '../common/queued-exporter';
import { TelemetryBatch } from '../model/telemetry';
import { Signal } from '../sink';
import { classifyGrpcFailure } from './grpc-status';
import { OtlpRequestEncoder } from './otlp-request-encoder';
import { OtlpSinkSettings } from './otlp-target';
import { readPartialSuccess } from './responses';

/**
 * The endpoint URLs are `http://` (plaintext) or `https://` (TLS) with host and port; their path
 * is not used. Headers are sent as metadata.
 */
export interface OtlpGrpcSettings extends OtlpSinkSettings {
  /** Deadline of one call (the receiver sees it as grpc-timeout). */
  timeoutMs: number;
}

/** The two services of OTLP/gRPC, by signal: both take and answer one protobuf message. */
const EXPORT_METHODS: Record<Signal, string> = {
  spans: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/** Metadata keys gRPC itself sets: a configured header may not replace them. */
const RESERVED_METADATA = new Set(['content-type', 'te', 'host', 'user-agent']);

const asIs = (bytes: Buffer): Buffer => bytes;

/**
 * OTLP/gRPC as the OTLP specification defines it, on @grpc/grpc-js: the request bytes the HTTP
 * sink would POST, sent to the Export method of the trace or metrics service with gzip framing,
 * headers as metadata, a deadline, and the answer's partial success read back.
 */
export class OtlpGrpcTarget implements PushTarget {
  readonly signals: ReadonlySet<Signal>;
  private readonly encoder: OtlpRequestEncoder;
  private readonly clients: Record<Signal, Client>;
  private readonly metadata: Metadata;

  constructor(private readonly settings: OtlpGrpcSettings) {
    this.signals = new Set(settings.signals);
    this.encoder = new OtlpRequestEncoder({
      json: false,
      gzip: false,
      maxBatchItems: settings.maxBatchItems,
      maxBatchBytes: settings.maxBatchBytes,
    });
    this.metadata = metadataOf(settings.headers);
    const options: ChannelOptions = {
      'grpc.default_compression_algorithm':
        settings.compression === 'gzip'
          ? compressionAlgorithms.gzip
          : compressionAlgorithms.identity,
      'grpc.primary_user_agent': `pxgate/${PXGATE_VERSION}`,
      // No DNS TXT lookups for a service config: our own retry layer decides.
      'grpc.service_config_disable_resolution': 1,
      'grpc.enable_retries': 0,
      // grpc-js waits up to 2 minutes between reconnects by default; a receiver back after a
      // restart should see our next retry, which waits at most export.otlp.retry.maxInterval.
      'grpc.max_reconnect_backoff_ms': 10_000,
    };
    const byTarget = new Map<string, Client>();
    const clientFor = (url: string): Client => {
      const { target, tls } = grpcTargetOf(url);
      const key = `${tls}|${target}`;
      let client = byTarget.get(key);
      if (!client) {
        client = new Client(target, channelCredentials(tls, settings.tls), options);
        byTarget.set(key, client);
      }
      return client;
    };
    this.clients = {
      spans: clientFor(settings.tracesUrl ?? settings.endpoint),
      metrics: clientFor(settings.metricsUrl ?? settings.endpoint),
    };
  }

  encode(batch: TelemetryBatch): Encoded<EncodedRequest> {
    return { requests: this.encoder.encode(batch, this.signals), dropped: [] };
  }

  push(request: EncodedRequest, signal: AbortSignal): Promise<PushResult> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(retryableError(`not sent: ${String(signal.reason?.message ?? 'aborted')}`));
        return;
      }
      const onAbort = () => call.cancel();
      const call = this.clients[request.signal].makeUnaryRequest<Buffer, Buffer>(
        EXPORT_METHODS[request.signal],
        asIs,
        asIs,
        request.body,
        this.metadata.clone(),
        { deadline: Date.now() + this.settings.timeoutMs },
        (err: ServiceError | null, response?: Buffer) => {
          signal.removeEventListener('abort', onAbort);
          if (err) reject(classifyGrpcFailure(err));
          else resolve(readPartialSuccess(response ?? Buffer.alloc(0), false));
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    for (const client of new Set(Object.values(this.clients))) client.close();
  }
}

/**
 * The gRPC target (`host:port`) of an endpoint URL, and whether it takes TLS (`https`). A URL
 * without a port means its scheme's, as it does over HTTP.
 */
export function grpcTargetOf(url: string): { target: string; tls: boolean } {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'https:';
  if (!tls && parsed.protocol !== 'http:') {
    throw new Error(`unsupported URL scheme ${parsed.protocol} in ${url} (use http or https)`);
  }
  return { target: `${parsed.hostname}:${parsed.port || (tls ? 443 : 80)}`, tls };
}

function channelCredentials(tls: boolean, settings: TlsSettings): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(
    settings.caFile ? readFileSync(settings.caFile) : null,
    settings.keyFile ? readFileSync(settings.keyFile) : null,
    settings.certFile ? readFileSync(settings.certFile) : null,
    { rejectUnauthorized: !settings.insecureSkipVerify },
  );
}

/** Configured headers as gRPC metadata; a name gRPC reserves or cannot carry is an error. */
export function metadataOf(headers: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (RESERVED_METADATA.has(key) || key.startsWith('grpc-')) {
      throw new Error(`header ${name} is set by gRPC and may not be configured`);
    }
    try {
      metadata.set(key, value);
    } catch (err) {
      throw new Error(`header ${name} cannot be sent as gRPC metadata: ${(err as Error).message}`);
    }
  }
  return metadata;
}
