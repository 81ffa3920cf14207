import { gzipSync } from 'node:zlib';
import { EncodedRequest } from '../common/queued-exporter';
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

export interface OtlpEncoding {
  /** OTLP/JSON instead of protobuf. */
  json: boolean;
  /** gzip each body (OTLP/HTTP); gRPC compresses its frames itself, so it asks for none. */
  gzip: boolean;
  /** At most this many spans or data points a request. */
  maxBatchItems: number;
  /** At most this many bytes a request (before compression), unless one item is larger. */
  maxBatchBytes: number;
}

/**
 * Splits a batch into Export{Trace,Metrics}ServiceRequests within the item and byte bounds and
 * encodes each: the request bodies of every OTLP transport, since OTLP/HTTP and OTLP/gRPC carry
 * the same protobuf messages.
 */
export class OtlpRequestEncoder {
  private readonly writer = new OtlpWriter(256 * 1024);

  constructor(private readonly encoding: OtlpEncoding) {}

  /** The requests of the signals asked for: spans first, then metrics, each in batch order. */
  encode(batch: TelemetryBatch, signals: ReadonlySet<Signal>): EncodedRequest[] {
    const { maxBatchItems: items, maxBatchBytes: bytes } = this.encoding;
    const requests: EncodedRequest[] = [];
    if (signals.has('spans')) {
      for (const chunk of chunkSpans(batch.spans, items)) {
        for (const r of encodeWithinBytes(chunk, this.spanEncoding, bytes)) {
          requests.push({ ...r, signal: 'spans' });
        }
      }
    }
    if (signals.has('metrics')) {
      for (const chunk of chunkMetrics(batch.metrics, items)) {
        for (const r of encodeWithinBytes(chunk, this.metricEncoding, bytes)) {
          requests.push({ ...r, signal: 'metrics' });
        }
      }
    }
    return requests;
  }

  private readonly spanEncoding: ChunkEncoding<ResourceSpans> = {
    items: spanCount,
    rechunk: chunkSpans,
    encode: (chunk) => {
      if (this.encoding.json) return encodeTraceRequestJson(chunk);
      writeTraceRequest(this.writer, chunk);
      return this.writer.view();
    },
    finish: (bytes) => this.finish(bytes),
  };

  private readonly metricEncoding: ChunkEncoding<ResourceMetrics> = {
    items: pointCount,
    rechunk: chunkMetrics,
    encode: (chunk) => {
      if (this.encoding.json) return encodeMetricsRequestJson(chunk);
      writeMetricsRequest(this.writer, chunk);
      return this.writer.view();
    },
    finish: (bytes) => this.finish(bytes),
  };

  /** gzip, or a copy of the writer's bytes: either way a body of its own. */
  private finish(bytes: Buffer): Buffer {
    return this.encoding.gzip ? gzipSync(bytes) : Buffer.from(bytes);
  }
}
