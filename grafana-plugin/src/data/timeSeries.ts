/**
 * Long tables to wide time series. PxL's windowed aggregates come out long: one row per
 * (time window, service, ...). Grafana's time series panels want one numeric field per series,
 * aligned on one time field, with the string columns as the series' labels.
 */
import { DataFrame, Field, FieldType, Labels } from '@grafana/data';

/** The column PxL tables carry event time in. */
export const TIME_COLUMN = 'time_';

/** The frame's time field: `time_` if present, else its first time field. */
export function findTimeField(frame: DataFrame): Field | undefined {
  const times = frame.fields.filter((f) => f.type === FieldType.time);
  return times.find((f) => f.name === TIME_COLUMN) ?? times[0];
}

interface Series {
  labels: Labels;
  /** Row index by time key, for each value field. */
  rows: Map<string, number>;
}

function timeKey(ms: number, nanos: number): string {
  return `${ms}:${nanos}`;
}

/**
 * The wide form of `frame`: the time field, then one field per (label set, numeric column),
 * with `null` where a series has no row at a time. A frame without a time field is returned as
 * it is; one without string columns is only sorted by time. When a series has two rows at one
 * time, the later row wins.
 */
export function longToWide(frame: DataFrame): DataFrame {
  const time = findTimeField(frame);
  if (!time) return frame;
  const labelFields = frame.fields.filter((f) => f.type === FieldType.string);
  const valueFields = frame.fields.filter((f) => f.type === FieldType.number);
  const nanosOf = (row: number) => time.nanos?.[row] ?? 0;

  const times = new Map<string, { ms: number; nanos: number }>();
  const series = new Map<string, Series>();
  for (let row = 0; row < frame.length; row++) {
    const ms = time.values[row] as number | null;
    if (ms === null || ms === undefined) continue;
    const key = timeKey(ms, nanosOf(row));
    times.set(key, { ms, nanos: nanosOf(row) });
    const labels: Labels = {};
    for (const f of labelFields) labels[f.name] = String(f.values[row] ?? '');
    const seriesKey = JSON.stringify(labelFields.map((f) => labels[f.name]));
    let s = series.get(seriesKey);
    if (!s) series.set(seriesKey, (s = { labels, rows: new Map() }));
    s.rows.set(key, row);
  }

  const ordered = [...times.entries()].sort(([, a], [, b]) => a.ms - b.ms || a.nanos - b.nanos);
  const wideTime: Field = {
    name: time.name,
    type: FieldType.time,
    config: time.config,
    values: ordered.map(([, t]) => t.ms),
  };
  if (ordered.some(([, t]) => t.nanos !== 0)) wideTime.nanos = ordered.map(([, t]) => t.nanos);

  const fields: Field[] = [wideTime];
  const sortedSeries = [...series.values()].sort((a, b) =>
    JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1,
  );
  for (const s of sortedSeries) {
    for (const vf of valueFields) {
      fields.push({
        name: vf.name,
        type: FieldType.number,
        config: vf.config,
        labels: labelFields.length ? s.labels : undefined,
        values: ordered.map(([key]) => {
          const row = s.rows.get(key);
          return row === undefined ? null : (vf.values[row] as number | null);
        }),
      });
    }
  }
  return { ...frame, fields, length: ordered.length };
}
