import { ResultTable } from '../format/readable-table';
import { INITIAL_STATE, LiveState, onAnswer, onError, onKey } from './live-state';

const table = (name: string, rows = 1): ResultTable => ({
  name,
  columns: [{ name: 'n', type: 'INT64', semanticType: 'ST_NONE' }],
  rows: Array.from({ length: rows }, (_, i) => [i]),
});

const T = new Date('2027-01-15T08:00:00Z');
const three: LiveState = onAnswer(INITIAL_STATE, [table('a'), table('b'), table('c')], T);

describe('the live view keys', () => {
  it('pauses on p, and resumes with a refresh at once on p again', () => {
    const paused = onKey(three, { name: 'p' });
    expect(paused).toEqual({ state: { ...three, paused: true }, action: 'redraw' });
    expect(onKey(paused.state, { name: 'p' })).toEqual({ state: three, action: 'refresh' });
  });

  it('shows the next table on tab or n, the previous on shift-tab, wrapping around', () => {
    const next = onKey(three, { name: 'tab' });
    expect(next).toEqual({ state: { ...three, shown: 1 }, action: 'redraw' });
    expect(onKey(next.state, { name: 'n' }).state.shown).toBe(2);
    expect(onKey({ ...three, shown: 2 }, { name: 'n' }).state.shown).toBe(0);
    expect(onKey(three, { name: 'tab', shift: true }).state.shown).toBe(2);
  });

  it('quits on q and on Ctrl-C', () => {
    expect(onKey(three, { name: 'q' }).action).toBe('quit');
    expect(onKey(three, { name: 'c', ctrl: true }).action).toBe('quit');
  });

  it('does nothing for other keys, for Ctrl with p or n, or for tab with one table', () => {
    expect(onKey(three, { name: 'x' })).toEqual({ state: three, action: 'none' });
    expect(onKey(three, { name: 'p', ctrl: true })).toEqual({ state: three, action: 'none' });
    const one = onAnswer(INITIAL_STATE, [table('a')], T);
    expect(onKey(one, { name: 'tab' })).toEqual({ state: one, action: 'none' });
    expect(onKey(INITIAL_STATE, { name: 'n' })).toEqual({ state: INITIAL_STATE, action: 'none' });
  });
});

describe('the live view state', () => {
  it('keeps the table in view by name when the answer reorders or drops others', () => {
    const onB = { ...three, shown: 1 };
    const later = new Date(T.getTime() + 5000);
    expect(onAnswer(onB, [table('c'), table('b')], later)).toMatchObject({ shown: 1 });
    expect(onAnswer(onB, [table('b')], later)).toMatchObject({ shown: 0, refreshedAt: later });
    expect(onAnswer({ ...three, shown: 2 }, [table('x'), table('y')], later).shown).toBe(1);
    expect(onAnswer(onB, [], later).shown).toBe(0);
  });

  it('keeps the last tables on an error, and forgets the error at the next answer', () => {
    const failed = onError(three, 'cannot reach the gateway', T);
    expect(failed).toEqual({ ...three, error: { message: 'cannot reach the gateway', at: T } });
    expect(onAnswer(failed, [table('a')], T).error).toBeUndefined();
  });

  it('stays paused across answers', () => {
    expect(onAnswer({ ...three, paused: true }, [table('a')], T).paused).toBe(true);
  });
});
