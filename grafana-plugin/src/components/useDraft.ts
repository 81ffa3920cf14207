import { useState } from 'react';

/**
 * Local edits of a stored value (an input's text until it loses focus), started afresh whenever
 * the stored value changes from outside, e.g. when a bundled script replaces the query.
 */
export function useDraft<T>(stored: T): [T, (draft: T) => void] {
  const [state, setState] = useState({ stored, draft: stored });
  if (!Object.is(state.stored, stored)) {
    setState({ stored, draft: stored });
    return [stored, (draft) => setState({ stored, draft })];
  }
  return [state.draft, (draft) => setState((s) => ({ ...s, draft }))];
}
