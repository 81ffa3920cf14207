/**
 * otlp-encode: 100,000 HTTP spans to an OTLP ExportTraceServiceRequest, with pxgate's encoder
 * and with @opentelemetry/otlp-transformer's ProtobufTraceSerializer in the same run. Both
 * outputs are decoded with the official schema and must be equal.
 */
import { deepStrictEqual } from 'node:assert';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ResourceSpans } from '../gateway/src/exporters/model/telemetry';
import { encodeTraceRequest } from '../gateway/src/exporters/otlp/encode-traces';
import { OtlpWriter } from '../gateway/src/exporters/otlp/proto-common';
import { decodeTraceRequest } from '../test/support/otlp-schema';
import { sampleResourceSpans } from '../test/support/telemetry';
import { median, rate, timeRounds } from './_measure';

const SPANS = Number(process.env.SPANS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

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
      const context = { traceId: s.traceId, spanId: s.spanId, traceFlags: 1 };
      const parent = s.parentSpanId
        ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1, isRemote: s.parentIsRemote }
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

function main(): void {
  const groups = sampleResourceSpans(SPANS);
  const readable = asReadableSpans(groups);
  const writer = new OtlpWriter(32 * 1024 * 1024);
  const serialize = ProtobufTraceSerializer.serializeRequest as (spans: object[]) => Uint8Array;

  const ours = encodeTraceRequest(groups, writer);
  const theirs = serialize(readable);
  deepStrictEqual(decodeTraceRequest(ours), decodeTraceRequest(theirs));
  console.log(
    `otlp-encode: ${SPANS} spans, ${groups.length} resources; outputs decoded with the official schema and equal (ours ${ours.length} bytes, peer ${theirs.length} bytes)`,
  );

  const oursMs: number[] = [];
  const peerMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    oursMs.push(...timeRounds(1, () => encodeTraceRequest(groups, writer)));
    peerMs.push(...timeRounds(1, () => serialize(readable)));
  }
  const o = median(oursMs);
  const p = median(peerMs);
  console.log(
    `rounds (ms): ours ${oursMs.map((x) => x.toFixed(1)).join(' ')}; peer ${peerMs.map((x) => x.toFixed(1)).join(' ')}`,
  );
  console.log(
    `otlp-encode: ours ${rate(SPANS, o)} spans (${o.toFixed(1)} ms), peer @opentelemetry/otlp-transformer ProtobufTraceSerializer ${rate(SPANS, p)} spans (${p.toFixed(1)} ms), median of ${ROUNDS}, ratio ${(p / o).toFixed(2)}`,
  );
}

main();
