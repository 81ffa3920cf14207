/**
 * Frames in the shapes of Grafana's data plane contract, which alert rules, recording rules and
 * server-side expressions read: `timeseries-multi` (one frame per series: a time field, sorted,
 * and one value field carrying the series' labels) and `numeric-multi` (one frame per value: a
 * single numeric field of one row, with its labels). Panels get `timeseries-wide` (one frame,
 * one time field, one value field per series).
 */
import { DataFrame, DataFrameType, Field, FieldType } from '@grafana/data';

import { findTimeField, longToWide } from '../../data/timeSeries';

const TYPE_VERSION: [number, number] = [0, 1];

function typed(frame: DataFrame, type: DataFrameType): DataFrame {
  return { ...frame, meta: { ...frame.meta, type, typeVersion: TYPE_VERSION } };
}

/** A wide frame from longToWide, marked `timeseries-wide` when it is one (time first, numbers after). */
export function markWide(frame: DataFrame): DataFrame {
  const [first, ...rest] = frame.fields;
  const isSeries = first?.type === FieldType.time && rest.some((f) => f.type === FieldType.number);
  return isSeries ? typed(frame, DataFrameType.TimeSeriesWide) : frame;
}

function pick<T>(values: readonly T[], rows: readonly number[]): T[] {
  return rows.map((row) => values[row]!);
}

/** A wide frame split into one frame per value field, each with only the times it has values at. */
function wideToMulti(wide: DataFrame): DataFrame[] {
  const [time, ...values] = wide.fields;
  return values
    .filter((f) => f.type === FieldType.number)
    .map((value) => {
      const rows = value.values.flatMap((v, row) => (v === null || v === undefined ? [] : [row]));
      const t: Field = { ...time!, values: pick(time!.values, rows) };
      if (time!.nanos) t.nanos = pick(time!.nanos, rows);
      return typed(
        {
          name: wide.name,
          refId: wide.refId,
          meta: wide.meta,
          length: rows.length,
          fields: [t, { ...value, values: pick(value.values, rows) }],
        },
        DataFrameType.TimeSeriesMulti,
      );
    });
}

/** A table without a time column as one single-value frame per (row, numeric column). */
function toNumericMulti(frame: DataFrame): DataFrame[] {
  const labelFields = frame.fields.filter((f) => f.type === FieldType.string);
  const valueFields = frame.fields.filter((f) => f.type === FieldType.number);
  const out: DataFrame[] = [];
  for (let row = 0; row < frame.length; row++) {
    const labels = Object.fromEntries(
      labelFields.map((f) => [f.name, String(f.values[row] ?? '')]),
    );
    for (const value of valueFields) {
      out.push(
        typed(
          {
            name: frame.name,
            refId: frame.refId,
            meta: frame.meta,
            length: 1,
            fields: [
              {
                ...value,
                values: [value.values[row]],
                ...(labelFields.length ? { labels } : {}),
              },
            ],
          },
          DataFrameType.NumericMulti,
        ),
      );
    }
  }
  return out;
}

/**
 * The frames of an alert or recording rule's query: a table with a time column becomes
 * `timeseries-multi` (series labelled by its string columns), one without becomes
 * `numeric-multi`. A table without a numeric column has nothing to alert on and stays a table.
 */
export function alertFrames(tables: DataFrame[]): DataFrame[] {
  return tables.flatMap((frame) => {
    if (!frame.fields.some((f) => f.type === FieldType.number)) return [frame];
    return findTimeField(frame) ? wideToMulti(longToWide(frame)) : toNumericMulti(frame);
  });
}
