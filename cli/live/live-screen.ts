import { readableTable } from '../format/readable-table';
import { formatTable } from '../format/text-table';
import { LiveState } from './live-state';

/** What one frame of the live view is drawn from. */
export interface ScreenInput {
  readonly state: LiveState;
  /** The script as the user named it. */
  readonly script: string;
  readonly gateway: string;
  readonly intervalMs: number;
  /** The terminal's size, in columns and rows. */
  readonly width: number;
  readonly height: number;
}

export const KEYS_LINE = 'p pause/resume · tab/n next table · q quit';

/**
 * One frame, as at most `height` lines of at most `width` characters: a header (script,
 * gateway, time of the last refresh), the tables' names with the one in view marked, then that
 * table formatted as `pxgate run` formats it (as many rows as fit, and how many did not), or
 * the last error; the keys on the last line.
 */
export function liveScreen(input: ScreenInput): string[] {
  const { state, width, height } = input;
  const top = [header(input), tabs(state), ''];
  const bottom = [KEYS_LINE];
  const room = Math.max(0, height - top.length - bottom.length);
  const shown = body(state, input.intervalMs, room, width);
  // The keys stay on the last row.
  const gap = Array.from({ length: room - shown.length }, () => '');
  const lines = [...top, ...shown, ...gap, ...bottom];
  // A terminal too small for all of it keeps the header first.
  const fitted = height >= top.length + bottom.length ? lines : lines.slice(0, height);
  return fitted.map((l) => fit(l, width));
}

function header(input: ScreenInput): string {
  const { state } = input;
  const refreshed = state.refreshedAt ? `refreshed ${clock(state.refreshedAt)}` : 'waiting';
  const every = `every ${seconds(input.intervalMs)}`;
  const mode = state.paused ? 'PAUSED' : every;
  return `pxgate live ${input.script} · ${input.gateway} · ${refreshed} · ${mode}`;
}

function tabs(state: LiveState): string {
  if (state.tables.length === 0) return state.refreshedAt ? 'no tables' : '';
  return state.tables
    .map((t, i) => {
      const label = `${t.name} (${t.rows.length} row${t.rows.length === 1 ? '' : 's'})`;
      return i === state.shown ? `[${label}]` : ` ${label} `;
    })
    .join(' ');
}

function body(state: LiveState, intervalMs: number, room: number, width: number): string[] {
  if (state.error) {
    const head = `error at ${clock(state.error.at)}, trying again every ${seconds(intervalMs)}:`;
    // Wrapped, not cut: the end of an error is often what says what to do.
    const message = state.error.message.split('\n').flatMap((l) => wrap(l, width));
    return [head, ...message].slice(0, room);
  }
  const table = state.tables[state.shown];
  if (!table || room === 0) return [];
  // The header line, the rows that fit, and a line for the rest when some do not.
  const all = table.rows.length;
  const fits = all + 1 <= room ? all : Math.max(0, room - 2);
  const r = readableTable({ ...table, rows: table.rows.slice(0, fits) }, false);
  const lines = formatTable(r.headers, r.rows, r.numeric).split('\n');
  if (fits < all) lines.push(`… ${all - fits} more row${all - fits === 1 ? '' : 's'}`);
  return lines.slice(0, room);
}

/** A line cut to the width, its last character an ellipsis when something was cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  if (chars.length <= width) return line;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

/** A line broken into pieces of at most `width` characters (a script line keeps its caret). */
function wrap(line: string, width: number): string[] {
  const chars = [...line];
  if (width <= 0 || chars.length <= width) return [line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out;
}

/** Local wall-clock time, HH:MM:SS. */
function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
