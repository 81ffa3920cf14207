import { z } from 'zod';
import { AttributeValue, Attributes } from '../../exporters/model/telemetry';
import type { CumulativeSeries } from './cumulative-state';
import { attributesKey } from './attributes';

/** A bigint as JSON carries it: `{"$bigint": "123"}` (an attribute from an INT64 column, say). */
const attributeValue = z.union([
  z.string(),
  z.boolean(),
  z.number(),
  z.strictObject({ $bigint: z.string().regex(/^-?\d{1,40}$/) }),
]);
const attributes = z.record(z.string(), attributeValue);
const nsText = z.string().regex(/^-?\d{1,20}$/);
const finite = z.number().finite();
const count = z.number().int().nonnegative();

const seriesSchema = z.strictObject({
  resource: attributes,
  metric: z.strictObject({ name: z.string(), description: z.string(), unit: z.string() }),
  kind: z.enum(['sum', 'histogram']),
  monotonic: z.boolean(),
  integer: z.boolean(),
  attributes,
  startTimeNs: nsText,
  lastUpdateMs: finite,
  value: finite,
  sources: z.array(z.tuple([z.string(), finite, finite])),
  bounds: z.array(finite),
  count,
  sum: finite,
  bucketCounts: z.array(count),
  /** null: no value yet (JSON has no infinities). */
  min: finite.nullable(),
  max: finite.nullable(),
});

/** A job's running totals at one sink, as a cursor file keeps them. */
export const cumulativeSnapshotSchema = z.strictObject({
  lastEmittedNs: nsText,
  series: z.array(seriesSchema),
});
export type CumulativeSnapshot = z.output<typeof cumulativeSnapshotSchema>;
type SeriesJson = z.output<typeof seriesSchema>;

/** A series as plain JSON. */
export function seriesToJson(s: CumulativeSeries): SeriesJson {
  return {
    resource: attributesToJson(s.resource.attributes),
    metric: { name: s.metric.name, description: s.metric.description, unit: s.metric.unit },
    kind: s.kind,
    monotonic: s.monotonic,
    integer: s.integer,
    attributes: attributesToJson(s.attributes),
    startTimeNs: String(s.startTimeNs),
    lastUpdateMs: s.lastUpdateMs,
    value: s.value,
    sources: [...s.sources].map(([key, c]) => [key, c.value, c.lastUpdateMs]),
    bounds: [...s.bounds],
    count: s.count,
    sum: s.sum,
    bucketCounts: [...s.bucketCounts],
    min: Number.isFinite(s.min) ? s.min : null,
    max: Number.isFinite(s.max) ? s.max : null,
  };
}

/** A series read back; undefined when its buckets do not match its bounds. */
export function seriesFromJson(j: SeriesJson): CumulativeSeries | undefined {
  if (j.kind === 'histogram' && j.bucketCounts.length !== j.bounds.length + 1) return undefined;
  const resource = attributesFromJson(j.resource);
  return {
    resourceKey: attributesKey(resource),
    resource: { attributes: resource },
    metric: j.metric,
    kind: j.kind,
    monotonic: j.monotonic,
    integer: j.integer,
    attributes: attributesFromJson(j.attributes),
    startTimeNs: BigInt(j.startTimeNs),
    lastUpdateMs: j.lastUpdateMs,
    value: j.value,
    sources: new Map(j.sources.map(([key, value, lastUpdateMs]) => [key, { value, lastUpdateMs }])),
    refusedSources: 0,
    bounds: j.bounds,
    count: j.count,
    sum: j.sum,
    bucketCounts: j.bucketCounts,
    min: j.min ?? Infinity,
    max: j.max ?? -Infinity,
  };
}

function attributesToJson(attrs: Attributes): Record<string, z.input<typeof attributeValue>> {
  const out: Record<string, z.input<typeof attributeValue>> = {};
  for (const [k, v] of Object.entries(attrs))
    out[k] = typeof v === 'bigint' ? { $bigint: String(v) } : v;
  return out;
}

function attributesFromJson(attrs: z.output<typeof attributes>): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(attrs))
    out[k] = typeof v === 'object' ? BigInt(v.$bigint) : v;
  return out;
}
