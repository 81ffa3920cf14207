import { gzipSync } from 'node:zlib';
import { PXGATE_VERSION } from '../../common/package-info';
import { HttpClient, TlsSettings, lowerCaseKeys } from '../common/http-client';
import { Encoded, EncodedRequest, PushResult, PushTarget } from '../common/queued-exporter';
import { ChunkEncoding, chunkMetrics, chunkSpans, encodeWithinBytes } from '../model/split';
import {
  ResourceMetrics,
  ResourceSpans,
  TelemetryBatch,
  pointCount,
  spanCount,
} from '../model/telemetry';
import { Signal } from '../sink';
import { encodeMetricsRequestJson, encodeTraceRequestJson } from './encode-json';
import { writeMetricsRequest } from './encode-metrics';
import { writeTraceRequest } from './encode-traces';
import { OtlpWriter } from './proto-common';
import { errorDetail, readPartialSuccess } from './responses';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpSettings {
  /** Base URL: `/v1/traces` and `/v1/metrics` are appended, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Full URLs that replace the appended ones (as OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT). */
  tracesUrl?: string | undefined;
  metricsUrl?: string | undefined;
  protocol: OtlpProtocol;
  compression: 'gzip' | 'none';
  headers: Record<string, string>;
  tls: TlsSettings;
  /** At most this many spans or data points a request. */
  maxBatchItems: number;
  /** At most this many bytes a request (before compression), unless one item is larger. */
  maxBatchBytes: number;
  signals: readonly Signal[];
}

interface OtlpRequest extends EncodedRequest {
  readonly client: HttpClient;
}

/** OTLP/HTTP as the OTLP specification defines it: protobuf or JSON, gzip, partial success. */
export class OtlpTarget implements PushTarget<OtlpRequest> {
  readonly signals: ReadonlySet<Signal>;
  private readonly traces: HttpClient;
  private readonly metrics: HttpClient;
  private readonly writer = new OtlpWriter(256 * 1024);
  private readonly json: boolean;
  private readonly headers: Record<string, string>;

  constructor(private readonly settings: OtlpSettings) {
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
    this.headers = {
      ...lowerCaseKeys(settings.headers),
      'content-type': this.json ? 'application/json' : 'application/x-protobuf',
      'user-agent': `pxgate/${PXGATE_VERSION}`,
      ...(settings.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  encode(batch: TelemetryBatch): Encoded<OtlpRequest> {
    const { maxBatchItems: items, maxBatchBytes: bytes } = this.settings;
    const requests: OtlpRequest[] = [];
    if (this.signals.has('spans')) {
      for (const chunk of chunkSpans(batch.spans, items)) {
        for (const r of encodeWithinBytes(chunk, this.spanEncoding, bytes)) {
          requests.push({ ...r, signal: 'spans', client: this.traces });
        }
      }
    }
    if (this.signals.has('metrics')) {
      for (const chunk of chunkMetrics(batch.metrics, items)) {
        for (const r of encodeWithinBytes(chunk, this.metricEncoding, bytes)) {
          requests.push({ ...r, signal: 'metrics', client: this.metrics });
        }
      }
    }
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

  private readonly spanEncoding: ChunkEncoding<ResourceSpans> = {
    items: spanCount,
    rechunk: chunkSpans,
    encode: (chunk) => {
      if (this.json) return encodeTraceRequestJson(chunk);
      writeTraceRequest(this.writer, chunk);
      return this.writer.view();
    },
    finish: (bytes) => this.finish(bytes),
  };

  private readonly metricEncoding: ChunkEncoding<ResourceMetrics> = {
    items: pointCount,
    rechunk: chunkMetrics,
    encode: (chunk) => {
      if (this.json) return encodeMetricsRequestJson(chunk);
      writeMetricsRequest(this.writer, chunk);
      return this.writer.view();
    },
    finish: (bytes) => this.finish(bytes),
  };

  /** gzip, or a copy of the writer's bytes: either way a body of its own. */
  private finish(bytes: Buffer): Buffer {
    return this.settings.compression === 'gzip' ? gzipSync(bytes) : Buffer.from(bytes);
  }
}

/** The URL of one signal: the explicit one, or the base endpoint with `/v1/<signal>` appended. */
export function signalUrl(explicit: string | undefined, base: string, signal: string): URL {
  if (explicit) return new URL(explicit);
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url;
}
