import { PXGATE_VERSION } from '../../common/package-info';
import { HttpClient, TlsSettings, lowerCaseKeys } from '../common/http-client';
import { Encoded, EncodedRequest, PushResult, PushTarget } from '../common/queued-exporter';
import { TelemetryBatch } from '../model/telemetry';
import { Signal } from '../sink';
import { OtlpRequestEncoder } from './otlp-request-encoder';
import { errorDetail, readPartialSuccess } from './responses';

/** The two encodings of OTLP/HTTP. */
export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

/** What both OTLP transports are configured with. */
export interface OtlpSinkSettings {
  /** Base URL: over HTTP `/v1/traces` and `/v1/metrics` are appended, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Full URLs that replace the appended ones (as OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT). */
  tracesUrl?: string | undefined;
  metricsUrl?: string | undefined;
  compression: 'gzip' | 'none';
  headers: Record<string, string>;
  tls: TlsSettings;
  /** At most this many spans or data points a request. */
  maxBatchItems: number;
  /** At most this many bytes a request (before compression), unless one item is larger. */
  maxBatchBytes: number;
  signals: readonly Signal[];
}

export interface OtlpSettings extends OtlpSinkSettings {
  protocol: OtlpHttpProtocol;
}

interface OtlpRequest extends EncodedRequest {
  readonly client: HttpClient;
}

/** OTLP/HTTP as the OTLP specification defines it: protobuf or JSON, gzip, partial success. */
export class OtlpTarget implements PushTarget<OtlpRequest> {
  readonly signals: ReadonlySet<Signal>;
  private readonly traces: HttpClient;
  private readonly metrics: HttpClient;
  private readonly encoder: OtlpRequestEncoder;
  private readonly json: boolean;
  private readonly headers: Record<string, string>;

  constructor(settings: OtlpSettings) {
    this.signals = new Set(settings.signals);
    this.traces = new HttpClient(
      signalUrl(settings.tracesUrl, settings.endpoint, 'traces'),
      settings.tls,
    );
    this.metrics = new HttpClient(
      signalUrl(settings.metricsUrl, settings.endpoint, 'metrics'),
      settings.tls,
    );
    this.json = settings.protocol === 'http/json';
    this.encoder = new OtlpRequestEncoder({
      json: this.json,
      gzip: settings.compression === 'gzip',
      maxBatchItems: settings.maxBatchItems,
      maxBatchBytes: settings.maxBatchBytes,
    });
    this.headers = {
      ...lowerCaseKeys(settings.headers),
      'content-type': this.json ? 'application/json' : 'application/x-protobuf',
      'user-agent': `pxgate/${PXGATE_VERSION}`,
      ...(settings.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  encode(batch: TelemetryBatch): Encoded<OtlpRequest> {
    const requests = this.encoder.encode(batch, this.signals).map((r) => ({
      ...r,
      client: r.signal === 'spans' ? this.traces : this.metrics,
    }));
    return { requests, dropped: [] };
  }

  async push(request: OtlpRequest, signal: AbortSignal): Promise<PushResult> {
    const res = await request.client.postClassified(
      request.body,
      this.headers,
      signal,
      'otlp',
      (r) => errorDetail(r.body, r.headers['content-type']),
    );
    return readPartialSuccess(res.body, res.headers['content-type']?.includes('json') ?? this.json);
  }

  close(): void {
    this.traces.close();
    this.metrics.close();
  }
}

/** The URL of one signal: the explicit one, or the base endpoint with `/v1/<signal>` appended. */
export function signalUrl(explicit: string | undefined, base: string, signal: string): URL {
  if (explicit) return new URL(explicit);
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url;
}
