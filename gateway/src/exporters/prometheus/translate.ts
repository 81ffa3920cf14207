import {
  AttributeValue,
  Attributes,
  HistogramPoint,
  Metric,
  NumberPoint,
  Resource,
  ResourceMetrics,
  Scope,
  SummaryPoint,
} from '../model/telemetry';
import { PromKind, formatFloat, labelName, metricName, unitSuffix } from './names';

/**
 * One sample, named and labelled as Prometheus sees it (`__name__` is `name`). A stale sample
 * (the series ended) has value NaN and `stale` set: its wire form is Prometheus' stale-marker
 * NaN, whose exact bits JavaScript numbers do not keep, so encoders write them from the flag.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs: number;
  readonly stale?: boolean;
}

/** A metric family: what one TYPE line covers. */
export interface PromFamily {
  readonly name: string;
  readonly type: PromKind;
  readonly help: string;
  /** The unit as a Prometheus word (`seconds`), for metadata. */
  readonly unit: string;
  readonly samples: PromSample[];
}

export interface TranslateOptions {
  /** Add `otel_scope_name` and `otel_scope_version` to every sample (the spec's default). */
  scopeLabels: boolean;
}

export interface Translation {
  families: PromFamily[];
  /** Points that Prometheus cannot represent (delta sums and histograms, type conflicts). */
  dropped: number;
  /** Why points were dropped, once per cause. */
  problems: string[];
}

const RESOURCE_IDENTITY = new Set(['service.name', 'service.namespace', 'service.instance.id']);

/**
 * Translates OpenTelemetry metrics to Prometheus families as OpenTelemetry's "Prometheus and
 * OpenMetrics compatibility" specification says for the Collector's exporters: `job` and
 * `instance` from the resource's service attributes, the other resource attributes on one
 * `target_info` sample per resource, names and labels sanitized, units and `_total` as suffixes,
 * histograms as `_bucket{le}`/`_sum`/`_count`, summaries as `{quantile}`/`_sum`/`_count`.
 */
export function toPrometheus(
  resourceMetrics: readonly ResourceMetrics[],
  options: TranslateOptions,
): Translation {
  const out = new FamilyCollector();
  for (const rm of resourceMetrics) {
    const identity = resourceLabels(rm.resource);
    const base = { ...identity, ...(options.scopeLabels ? scopeLabels(rm.scope) : {}) };
    const latest = { ms: -Infinity };
    for (const metric of rm.metrics) translateMetric(metric, base, out, latest);
    const info = targetInfoLabels(rm.resource);
    if (info && latest.ms > -Infinity) {
      const family = out.family('target_info', 'gauge', 'Target metadata', '');
      family?.samples.push({
        name: 'target_info',
        labels: { ...identity, ...info },
        value: 1,
        timestampMs: latest.ms,
      });
    }
  }
  return { families: out.families(), dropped: out.dropped, problems: out.problems };
}

class FamilyCollector {
  private readonly byName = new Map<string, PromFamily>();
  dropped = 0;
  readonly problems: string[] = [];

  /** The family of this name, or undefined when the name is taken by another type. */
  family(name: string, type: PromKind, help: string, unit: string): PromFamily | undefined {
    const existing = this.byName.get(name);
    if (existing === undefined) {
      const family: PromFamily = { name, type, help, unit, samples: [] };
      this.byName.set(name, family);
      return family;
    }
    if (existing.type !== type) {
      this.problem(
        `metric ${name} is both a ${existing.type} and a ${type}; the ${type} is dropped`,
      );
      return undefined;
    }
    return existing;
  }

  drop(points: number, why: string): void {
    this.dropped += points;
    this.problem(why);
  }

  families(): PromFamily[] {
    return [...this.byName.values()];
  }

  private problem(why: string): void {
    if (!this.problems.includes(why)) this.problems.push(why);
  }
}

function translateMetric(
  metric: Metric,
  base: Record<string, string>,
  out: FamilyCollector,
  latest: { ms: number },
): void {
  const d = metric.data;
  switch (d.kind) {
    case 'gauge':
      numberFamily(metric, 'gauge', d.points, base, out, latest);
      return;
    case 'sum':
      if (d.temporality === 'delta') {
        out.drop(d.points.length, `delta sum ${metric.name} has no Prometheus form; dropped`);
        return;
      }
      numberFamily(metric, d.monotonic ? 'counter' : 'gauge', d.points, base, out, latest);
      return;
    case 'histogram': {
      if (d.temporality === 'delta') {
        out.drop(d.points.length, `delta histogram ${metric.name} has no Prometheus form; dropped`);
        return;
      }
      const name = metricName(metric.name, metric.unit, 'histogram');
      const family = out.family(
        name,
        'histogram',
        metric.description,
        unitSuffix(metric.unit, 'histogram'),
      );
      if (!family)
        return out.drop(d.points.length, `histogram ${name} conflicts with another type`);
      for (const p of d.points) {
        latest.ms = Math.max(
          latest.ms,
          histogramSamples(family, name, p, pointLabels(base, p.attributes)),
        );
      }
      return;
    }
    case 'summary': {
      const name = metricName(metric.name, metric.unit, 'summary');
      const family = out.family(
        name,
        'summary',
        metric.description,
        unitSuffix(metric.unit, 'summary'),
      );
      if (!family) return out.drop(d.points.length, `summary ${name} conflicts with another type`);
      for (const p of d.points) {
        latest.ms = Math.max(
          latest.ms,
          summarySamples(family, name, p, pointLabels(base, p.attributes)),
        );
      }
      return;
    }
  }
}

function numberFamily(
  metric: Metric,
  kind: 'counter' | 'gauge',
  points: readonly NumberPoint[],
  base: Record<string, string>,
  out: FamilyCollector,
  latest: { ms: number },
): void {
  const name = metricName(metric.name, metric.unit, kind);
  const family = out.family(name, kind, metric.description, unitSuffix(metric.unit, kind));
  if (!family) return out.drop(points.length, `${kind} ${name} conflicts with another type`);
  for (const p of points) {
    const timestampMs = toMs(p.timeNs);
    latest.ms = Math.max(latest.ms, timestampMs);
    family.samples.push({
      name,
      labels: pointLabels(base, p.attributes),
      ...sampleValue(Number(p.value), p.noRecordedValue === true),
      timestampMs,
    });
  }
}

function histogramSamples(
  family: PromFamily,
  name: string,
  p: HistogramPoint,
  labels: Record<string, string>,
): number {
  const timestampMs = toMs(p.timeNs);
  const stale = p.noRecordedValue === true;
  let cumulative = 0;
  for (let i = 0; i <= p.bounds.length; i++) {
    cumulative += p.bucketCounts[i] ?? 0;
    family.samples.push({
      name: `${name}_bucket`,
      labels: { ...labels, le: formatFloat(i < p.bounds.length ? p.bounds[i]! : Infinity) },
      ...sampleValue(cumulative, stale),
      timestampMs,
    });
  }
  // The spec reports _sum only when it can only grow: when no observation can be negative.
  sumAndCount(family, name, labels, p, (p.min ?? p.bounds[0] ?? 0) >= 0, timestampMs);
  return timestampMs;
}

function summarySamples(
  family: PromFamily,
  name: string,
  p: SummaryPoint,
  labels: Record<string, string>,
): number {
  const timestampMs = toMs(p.timeNs);
  const stale = p.noRecordedValue === true;
  for (const q of [...p.quantiles].sort((a, b) => a.quantile - b.quantile)) {
    family.samples.push({
      name,
      labels: { ...labels, quantile: formatFloat(q.quantile) },
      ...sampleValue(q.value, stale),
      timestampMs,
    });
  }
  sumAndCount(family, name, labels, p, p.sum >= 0, timestampMs);
  return timestampMs;
}

/** The `_sum` (when `withSum`, or to mark it stale) and `_count` samples of a point. */
function sumAndCount(
  family: PromFamily,
  name: string,
  labels: Record<string, string>,
  p: { sum: number; count: number; noRecordedValue?: boolean },
  withSum: boolean,
  timestampMs: number,
): void {
  const stale = p.noRecordedValue === true;
  if (withSum || stale) {
    family.samples.push({ name: `${name}_sum`, labels, ...sampleValue(p.sum, stale), timestampMs });
  }
  family.samples.push({
    name: `${name}_count`,
    labels,
    ...sampleValue(p.count, stale),
    timestampMs,
  });
}

function sampleValue(value: number, stale: boolean): { value: number; stale?: true } {
  return stale ? { value: NaN, stale: true } : { value };
}

/** `job` (`namespace/name` or `name`) and `instance` from the resource's service attributes. */
export function resourceLabels(resource: Resource): Record<string, string> {
  const a = resource.attributes;
  const name = a['service.name'] === undefined ? '' : valueString(a['service.name']);
  const namespace = a['service.namespace'] === undefined ? '' : valueString(a['service.namespace']);
  const labels: Record<string, string> = {};
  const job = namespace && name ? `${namespace}/${name}` : name;
  if (job) labels.job = job;
  const instance = a['service.instance.id'];
  if (instance !== undefined && valueString(instance) !== '')
    labels.instance = valueString(instance);
  return labels;
}

/** The labels `target_info` adds: every resource attribute but the service identity. */
function targetInfoLabels(resource: Resource): Record<string, string> | undefined {
  const rest: Record<string, AttributeValue> = {};
  let any = false;
  for (const [key, value] of Object.entries(resource.attributes)) {
    if (RESOURCE_IDENTITY.has(key)) continue;
    rest[key] = value;
    any = true;
  }
  return any ? attributeLabels(rest) : undefined;
}

function scopeLabels(scope: Scope): Record<string, string> {
  const labels: Record<string, string> = {};
  if (scope.name) labels.otel_scope_name = scope.name;
  if (scope.version) labels.otel_scope_version = scope.version;
  return labels;
}

/** The base labels with the point's attributes; the base (job, instance, scope) wins a clash. */
function pointLabels(base: Record<string, string>, attributes: Attributes): Record<string, string> {
  return { ...attributeLabels(attributes), ...base };
}

/**
 * Attributes as labels. Keys that sanitize to the same name have their values joined with `;`
 * in the order of the original keys, as the spec requires. Empty values are left out: Prometheus
 * treats an empty label as an absent one, and remote-write forbids them.
 */
export function attributeLabels(attributes: Attributes): Record<string, string> {
  const labels: Record<string, string> = {};
  const keys = Object.keys(attributes);
  let clashes: Map<string, string[]> | undefined;
  for (const key of keys) {
    const value = valueString(attributes[key]!);
    if (value === '') continue;
    const name = labelName(key);
    if (labels[name] === undefined) {
      labels[name] = value;
      continue;
    }
    clashes ??= new Map();
    if (!clashes.has(name)) clashes.set(name, []);
    clashes.get(name)!.push(key);
  }
  if (clashes) {
    for (const name of clashes.keys()) {
      labels[name] = keys
        .filter((k) => labelName(k) === name && valueString(attributes[k]!) !== '')
        .sort()
        .map((k) => valueString(attributes[k]!))
        .join(';');
    }
  }
  return labels;
}

function valueString(v: AttributeValue): string {
  return typeof v === 'string' ? v : String(v);
}

function toMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}
