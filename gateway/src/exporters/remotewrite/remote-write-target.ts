import { Logger } from '../../../../shared/common/logger';
import { PXGATE_VERSION } from '../../common/package-info';
import { HttpClient, TlsSettings, lowerCaseKeys } from '../common/http-client';
import { ProtoWriter } from '../common/proto-writer';
import { Encoded, EncodedRequest, PushResult, PushTarget } from '../common/queued-exporter';
import { TelemetryBatch } from '../model/telemetry';
import { toPrometheus } from '../prometheus/translate';
import { Signal } from '../sink';
import { writeWriteRequest } from './encode';
import { SeriesTracker } from './series-tracker';
import { PromSeries, chunkSeries, toSeries } from './series';
import { snappyBlock } from './snappy';

export interface RemoteWriteSettings {
  url: string;
  headers: Record<string, string>;
  tls: TlsSettings;
  /** At most this many samples a request (Prometheus' max_samples_per_send). */
  maxSamplesPerSend: number;
  /** Labels added to every series that does not have them (Prometheus' external_labels). */
  externalLabels: Record<string, string>;
  /** Add otel_scope_name and otel_scope_version labels (the OpenTelemetry spec's default). */
  scopeLabels: boolean;
  /** A series not written for this long gets a stale marker and is forgotten. */
  staleAfterMs: number;
  /** Bound of the series remembered for stale markers. */
  maxTrackedSeries: number;
  /** Samples older than this are not sent. */
  maxSampleAgeMs: number;
}

/** The headers remote-write 1.0 requires; users may not override them. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': `pxgate/${PXGATE_VERSION}`,
};

/** A WriteRequest, with its series for the tracker. */
interface RemoteWriteRequest extends EncodedRequest {
  readonly series: readonly PromSeries[];
}

/**
 * Prometheus remote-write 1.0: metrics translated by OpenTelemetry's Prometheus compatibility
 * rules, protobuf WriteRequests of at most `maxSamplesPerSend` samples, snappy block format, the
 * spec's headers, and stale markers for series that stop. Retries 5xx and 429, never other 4xx.
 * Run it with one consumer: requests then go out in order, and so do the samples of a series.
 */
export class RemoteWriteTarget implements PushTarget<RemoteWriteRequest> {
  readonly signals: ReadonlySet<Signal> = new Set(['metrics']);
  private readonly client: HttpClient;
  private readonly writer = new ProtoWriter(256 * 1024);
  private readonly headers: Record<string, string>;
  private readonly tracker: SeriesTracker;
  private readonly reported = new Set<string>();

  constructor(
    private readonly settings: RemoteWriteSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.client = new HttpClient(new URL(settings.url), settings.tls);
    this.headers = { ...lowerCaseKeys(settings.headers), ...REMOTE_WRITE_HEADERS };
    this.tracker = new SeriesTracker(
      settings.staleAfterMs,
      settings.maxTrackedSeries,
      settings.maxSampleAgeMs,
    );
  }

  encode(batch: TelemetryBatch): Encoded<RemoteWriteRequest> {
    const translation = toPrometheus(batch.metrics, { scopeLabels: this.settings.scopeLabels });
    for (const problem of translation.problems) {
      if (this.reported.has(problem) || this.reported.size >= 100) continue;
      this.reported.add(problem);
      this.log.warn(problem);
    }
    const tracked = this.tracker.prepare(
      toSeries(translation.families, this.settings.externalLabels),
      this.now(),
    );
    const requests = chunkSeries(
      [...tracked.series, ...tracked.stale],
      this.settings.maxSamplesPerSend,
    ).map((chunk): RemoteWriteRequest => ({
      body: this.compress(chunk),
      items: chunk.reduce((n, s) => n + s.samples.length, 0),
      signal: 'metrics',
      series: chunk,
    }));
    const dropped: Encoded<RemoteWriteRequest>['dropped'] = [
      { items: translation.dropped, signal: 'metrics', reason: 'untranslatable' },
      { items: tracked.outOfOrder, signal: 'metrics', reason: 'out_of_order' },
      { items: tracked.outOfBounds, signal: 'metrics', reason: 'out_of_bounds' },
    ];
    return { requests, dropped: dropped.filter((d) => d.items > 0) };
  }

  /** Snappy (block format) straight from the writer's buffer: the protobuf is never copied. */
  private compress(chunk: readonly PromSeries[]): Buffer {
    writeWriteRequest(this.writer, chunk);
    return snappyBlock(this.writer.view());
  }

  settle(request: RemoteWriteRequest, delivered: boolean): void {
    this.tracker.settle(request.series, delivered);
  }

  async push(request: RemoteWriteRequest, signal: AbortSignal): Promise<PushResult> {
    // The spec: senders must not interpret the error body, and should log it as it is.
    await this.client.postClassified(request.body, this.headers, signal, 'remote-write', (r) =>
      r.body.toString('utf8').trim().slice(0, 300),
    );
    return { rejected: 0 };
  }

  close(): void {
    this.client.close();
  }
}
