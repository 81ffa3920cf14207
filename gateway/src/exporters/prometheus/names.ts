/**
 * OpenTelemetry → Prometheus names, as OpenTelemetry's "Prometheus and OpenMetrics
 * compatibility" specification says: invalid characters become `_` (runs of `_` collapse to
 * one), the unit becomes a word suffix (`s` → `_seconds`, `By` → `_bytes`, `1` → `_ratio` for
 * gauges, `{request}` → nothing, `By/s` → `_bytes_per_second`), and monotonic sums end in
 * `_total`.
 */

const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** Units after `/`, in the singular: `By/s` is bytes per second. */
const PER_UNIT_WORDS: Record<string, string> = {
  s: 'second',
  min: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** The metric kinds that decide suffixes. */
export type PromKind = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The Prometheus name of an OpenTelemetry metric (without `_bucket`/`_sum`/`_count`). */
export function metricName(name: string, unit: string, kind: PromKind): string {
  let out = sanitize(name, /[^a-zA-Z0-9_:]/g);
  if (/^[0-9]/.test(out)) out = `_${out}`;
  const suffix = unitSuffix(unit, kind);
  if (suffix && !hasToken(out, suffix)) out = `${out}_${suffix}`;
  if (kind === 'counter' && !out.endsWith('_total')) out = `${out}_total`;
  return out;
}

/** The Prometheus label name of an attribute key. */
export function labelName(key: string): string {
  let out = sanitize(key, /[^a-zA-Z0-9_]/g);
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  return out;
}

/** The unit as a name suffix: `s` → `seconds`, `{packet}` → ``, `1` → `ratio` for gauges. */
export function unitSuffix(unit: string, kind: PromKind): string {
  const cleaned = unit.replace(/\{[^}]*\}/g, '').trim();
  if (cleaned === '') return '';
  if (cleaned === '1') return kind === 'gauge' ? 'ratio' : '';
  const [main = '', per] = cleaned.split('/', 2);
  const parts: string[] = [];
  if (main) parts.push(UNIT_WORDS[main] ?? wordOf(main));
  if (per) parts.push('per', PER_UNIT_WORDS[per] ?? UNIT_WORDS[per] ?? wordOf(per));
  return sanitize(parts.filter(Boolean).join('_'), /[^a-zA-Z0-9_]/g).replace(/^_|_$/g, '');
}

function wordOf(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9]/g, '');
}

function sanitize(text: string, invalid: RegExp): string {
  return text.replace(invalid, '_').replace(/_+/g, '_');
}

/** Whether `name` already ends with the words of `suffix` (`x_seconds` has `seconds`). */
function hasToken(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`_${suffix}`) || name.includes(`_${suffix}_`);
}

/**
 * Formats a float as Prometheus writes `le` and `quantile` values: Go's shortest 'g' format,
 * which switches to an exponent below 1e-4 and from 1e6 on (`0.005`, `2.5`, `1e-05`, `1e+06`).
 */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return '0';
  const [mantissa, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
