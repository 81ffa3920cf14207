import { ResultTable } from '../format/readable-table';

/** What the live view shows: the last answer (or error), the table in view, and if paused. */
export interface LiveState {
  readonly paused: boolean;
  /** The index of the table in view, among `tables`. */
  readonly shown: number;
  readonly tables: readonly ResultTable[];
  /** When the last answer came. */
  readonly refreshedAt?: Date;
  /** The last refresh's error, until an answer comes. */
  readonly error?: { readonly message: string; readonly at: Date };
}

/** A key as readline's `keypress` event gives it. */
export interface Key {
  readonly name?: string;
  readonly ctrl?: boolean;
  readonly shift?: boolean;
}

/** What the view does after a key: nothing, draw again, refresh at once, or quit. */
export type LiveAction = 'none' | 'redraw' | 'refresh' | 'quit';

export const INITIAL_STATE: LiveState = { paused: false, shown: 0, tables: [] };

/**
 * The keys: `p` pauses and resumes (resuming refreshes at once), `tab` or `n` shows the next
 * table and shift-`tab` the previous one, `q` or Ctrl-C quits.
 */
export function onKey(state: LiveState, key: Key): { state: LiveState; action: LiveAction } {
  if (key.name === 'q' || (key.ctrl && key.name === 'c')) return { state, action: 'quit' };
  if (key.ctrl) return { state, action: 'none' };
  if (key.name === 'p') {
    return {
      state: { ...state, paused: !state.paused },
      action: state.paused ? 'refresh' : 'redraw',
    };
  }
  const step = key.name === 'tab' ? (key.shift ? -1 : 1) : key.name === 'n' ? 1 : 0;
  if (step === 0 || state.tables.length < 2) return { state, action: 'none' };
  const n = state.tables.length;
  return { state: { ...state, shown: (state.shown + step + n) % n }, action: 'redraw' };
}

/** A new answer: the table in view stays in view (by name) when the answer still has it. */
export function onAnswer(state: LiveState, tables: readonly ResultTable[], at: Date): LiveState {
  const name = state.tables[state.shown]?.name;
  const same = tables.findIndex((t) => t.name === name);
  const shown = same >= 0 ? same : Math.min(state.shown, Math.max(0, tables.length - 1));
  return { paused: state.paused, shown, tables, refreshedAt: at };
}

/** A failed refresh: the error shows until an answer comes; the last tables are kept. */
export function onError(state: LiveState, message: string, at: Date): LiveState {
  return { ...state, error: { message, at } };
}
