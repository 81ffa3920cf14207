import { Registry } from 'prom-client';
import { Logger } from '../../../../shared/common/logger';
import { ExporterMetrics } from '../common/exporter-metrics';
import { SinkHealth, SinkStatus } from '../common/sink-health';
import { TelemetryBatch } from '../model/telemetry';
import { DeliveryReport, Signal, Sink } from '../sink';
import { PromFamily, toPrometheus } from './translate';

export interface RegistrySinkSettings {
  /** Add otel_scope_name and otel_scope_version labels (the OpenTelemetry spec's default). */
  scopeLabels: boolean;
  /** A series not updated for this long leaves the exposition. */
  staleAfterMs: number;
  /** At most this many series are exposed; new ones past the bound are dropped (counted). */
  maxSeries: number;
}

interface ExposedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
  updatedAt: number;
}

/** One metric family as prom-client's Registry expects a metric: name, help, type and get(). */
class ExposedFamily {
  readonly aggregator = 'sum';
  readonly samples = new Map<string, ExposedSample>();

  constructor(
    readonly name: string,
    readonly type: PromFamily['type'],
    readonly help: string,
    private readonly staleAfterMs: number,
    private readonly now: () => number,
  ) {}

  get() {
    const cutoff = this.now() - this.staleAfterMs;
    const values = [];
    for (const [key, s] of this.samples) {
      if (s.updatedAt < cutoff) {
        this.samples.delete(key);
        continue;
      }
      values.push({ metricName: s.name, labels: s.labels, value: s.value });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}

/**
 * The `/metrics` sink: the exported metrics, translated by the same Prometheus compatibility
 * rules as remote-write, exposed in the gateway's prom-client registry next to its own metrics.
 * Each series shows its latest value (without timestamp) until it goes stale.
 */
export class PrometheusRegistrySink implements Sink {
  readonly name = 'prometheus';
  readonly signals: ReadonlySet<Signal> = new Set(['metrics']);
  private readonly families = new Map<string, ExposedFamily>();
  private readonly refused = new Set<string>();
  private readonly health: SinkHealth;

  constructor(
    private readonly registry: Registry,
    private readonly settings: RegistrySinkSettings,
    metrics: ExporterMetrics,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.health = new SinkHealth(this.name, this.signals, 0, metrics, now);
  }

  start(): void {}

  status(): SinkStatus {
    return this.health.status();
  }

  async export(batch: TelemetryBatch): Promise<DeliveryReport> {
    const report = this.expose(batch);
    this.health.succeeded();
    this.health.accepted('metrics', report.sent);
    return { sent: report.sent, dropped: report.untranslatable + report.conflict + report.limit };
  }

  private expose(batch: TelemetryBatch) {
    const translation = toPrometheus(batch.metrics, { scopeLabels: this.settings.scopeLabels });
    const now = this.now();
    const report = { sent: 0, untranslatable: translation.dropped, conflict: 0, limit: 0 };
    this.health.droppedItems('metrics', 'untranslatable', translation.dropped);
    // Counted afresh: a family drops its stale series whenever the registry reads it.
    let series = [...this.families.values()].reduce((n, f) => n + f.samples.size, 0);
    for (const family of translation.families) {
      const exposed = this.family(family);
      if (!exposed) {
        report.conflict += family.samples.length;
        this.health.droppedItems('metrics', 'name_conflict', family.samples.length);
        continue;
      }
      for (const s of family.samples) {
        const key = `${s.name}\xfe${labelKey(s.labels)}`;
        if (s.stale) {
          if (exposed.samples.delete(key)) series--;
          continue;
        }
        const existing = exposed.samples.get(key);
        // A late row's older value does not replace a newer one.
        if (existing && s.timestampMs < existing.timestampMs) continue;
        if (!existing && series >= this.settings.maxSeries) {
          report.limit++;
          this.health.droppedItems('metrics', 'series_limit', 1);
          continue;
        }
        if (!existing) series++;
        exposed.samples.set(key, {
          name: s.name,
          labels: s.labels,
          value: s.value,
          timestampMs: s.timestampMs,
          updatedAt: now,
        });
        report.sent++;
      }
    }
    return report;
  }

  async shutdown(): Promise<void> {
    for (const name of this.families.keys()) this.registry.removeSingleMetric(name);
    this.families.clear();
  }

  /** The exposed family for a translated one; undefined when its name belongs to another metric. */
  private family(family: PromFamily): ExposedFamily | undefined {
    const existing = this.families.get(family.name);
    if (existing) return existing.type === family.type ? existing : this.refuse(family, 'type');
    if (this.registry.getSingleMetric(family.name)) return this.refuse(family, 'name');
    const help = family.help || `${family.name} exported by pxgate`;
    const exposed = new ExposedFamily(
      family.name,
      family.type,
      help,
      this.settings.staleAfterMs,
      this.now,
    );
    this.registry.registerMetric(exposed as never);
    this.families.set(family.name, exposed);
    return exposed;
  }

  private refuse(family: PromFamily, why: 'type' | 'name'): undefined {
    if (!this.refused.has(family.name)) {
      this.refused.add(family.name);
      this.log.warn(
        { metric: family.name },
        why === 'type'
          ? 'metric exported with two types; the later one is not exposed on /metrics'
          : "metric's name is taken by one of the gateway's own metrics; not exposed on /metrics",
      );
    }
    return undefined;
  }
}

function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\xff${labels[k]}`)
    .join('\xfe');
}
