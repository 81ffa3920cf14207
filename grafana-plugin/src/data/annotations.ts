/**
 * Query frames to annotation events. Each row is one annotation: its time is the `time_` (or the
 * first time) column, `time_end`/`end_time` makes it a region, `title` and `text` columns give its
 * words (without a `text` column, the row's other string columns do), and a `tags` column
 * (comma-separated, or a JSON list) its tags.
 */
import { AnnotationEvent, DataFrame, Field, FieldType } from '@grafana/data';

import { findTimeField } from './timeSeries';

function named(frame: DataFrame, ...names: string[]): Field | undefined {
  return frame.fields.find((f) => names.includes(f.name.toLowerCase()));
}

function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  if (value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: read it as a comma-separated list
    }
  }
  return value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The annotation events in `frames`. Frames without a time column give none. */
export function framesToAnnotations(frames: DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = findTimeField(frame);
    if (!time) continue;
    const end = named(frame, 'time_end', 'end_time', 'timeend');
    const title = named(frame, 'title');
    const text = named(frame, 'text');
    const tags = named(frame, 'tags');
    const described = frame.fields.filter(
      (f) => f.type === FieldType.string && f !== title && f !== tags && f !== text,
    );
    for (let row = 0; row < frame.length; row++) {
      const at = time.values[row] as number | null;
      if (at === null || at === undefined) continue;
      const event: AnnotationEvent = {
        time: at,
        text: text
          ? String(text.values[row] ?? '')
          : described.map((f) => `${f.name}: ${f.values[row] ?? ''}`).join('\n'),
        tags: tags ? tagsOf(tags.values[row]) : [],
      };
      if (title) event.title = String(title.values[row] ?? '');
      const endAt = end?.type === FieldType.time ? (end.values[row] as number | null) : null;
      if (endAt !== null && endAt !== undefined && endAt > at) {
        event.timeEnd = endAt;
        event.isRegion = true;
      }
      events.push(event);
    }
  }
  return events;
}
