import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where `pxgate start` keeps its data unless told otherwise: `$XDG_STATE_HOME/pxgate`, else
 * `~/.local/state/pxgate` (the XDG Base Directory rule for state that survives restarts).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME;
  return join(state && isAbsolute(state) ? state : join(homedir(), '.local', 'state'), 'pxgate');
}
