/**
 * otlp-encode: 100,000 HTTP spans to an OTLP ExportTraceServiceRequest, with pxgate's encoder
 * and with @opentelemetry/otlp-transformer's ProtobufTraceSerializer in the same run. Both
 * outputs are decoded with the official schema and must be equal.
 */
import { deepStrictEqual } from 'node:assert';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { idToHex } from '../gateway/src/exporters/model/ids';
import { ResourceSpans } from '../gateway/src/exporters/model/telemetry';
import { encodeTraceRequest, writeTraceRequest } from '../gateway/src/exporters/otlp/encode-traces';
import { OtlpWriter } from '../gateway/src/exporters/otlp/proto-common';
import { decodeTraceRequest } from '../test/support/otlp-schema';
import { sampleResourceSpans } from '../test/support/telemetry';
import { bench } from './_measure';

const SPANS = Number(process.env.SPANS ?? 100_000);

type HrTime = [number, number];

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/** The same spans as the SDK's ReadableSpan objects, the serializer's natural input. */
function asReadableSpans(groups: readonly ResourceSpans[]): object[] {
  const out: object[] = [];
  for (const group of groups) {
    const resource = { attributes: group.resource.attributes, schemaUrl: undefined };
    const scope = { name: group.scope.name, version: group.scope.version };
    for (const s of group.spans) {
      const context = { traceId: idToHex(s.traceId), spanId: idToHex(s.spanId), traceFlags: 1 };
      const parent = s.parentSpanId
        ? {
            traceId: context.traceId,
            spanId: idToHex(s.parentSpanId),
            traceFlags: 1,
            isRemote: s.parentIsRemote,
          }
        : undefined;
      const start = hrTime(s.startTimeNs);
      const end = hrTime(s.endTimeNs);
      out.push({
        name: s.name,
        kind: s.kind - 1, // the API's SpanKind starts at INTERNAL = 0
        spanContext: () => context,
        parentSpanContext: parent,
        startTime: start,
        endTime: end,
        duration: [end[0] - start[0], end[1] - start[1]],
        status: { code: 0 },
        attributes: s.attributes,
        links: [],
        events: [],
        ended: true,
        resource,
        instrumentationScope: scope,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      });
    }
  }
  return out;
}

const serialize = ProtobufTraceSerializer.serializeRequest as (spans: object[]) => Uint8Array;

void bench({
  name: 'otlp-encode',
  items: SPANS,
  unit: 'spans',
  peerName: '@opentelemetry/otlp-transformer ProtobufTraceSerializer',
  variantName: 'ours, copied into a buffer of its own (encodeTraceRequest)',
  check() {
    const groups = sampleResourceSpans(SPANS);
    const ours = encodeTraceRequest(groups);
    const theirs = serialize(asReadableSpans(groups));
    deepStrictEqual(decodeTraceRequest(ours), decodeTraceRequest(theirs));
    return `${SPANS} spans, ${groups.length} resources; both outputs decoded with the official schema and equal (ours ${ours.length} bytes, peer ${theirs.length} bytes)`;
  },
  sides: {
    // As the OTLP sink encodes: into its writer's buffer, kept from request to request, whose
    // bytes gzip reads in place.
    ours() {
      const groups = sampleResourceSpans(SPANS);
      const writer = new OtlpWriter(32 * 1024 * 1024);
      return () => {
        writeTraceRequest(writer, groups);
        return writer.view();
      };
    },
    // The same, then copied into a buffer of its own, as the peer returns one.
    variant() {
      const groups = sampleResourceSpans(SPANS);
      const writer = new OtlpWriter(32 * 1024 * 1024);
      return () => encodeTraceRequest(groups, writer);
    },
    peer() {
      const readable = asReadableSpans(sampleResourceSpans(SPANS));
      return () => serialize(readable);
    },
  },
});
