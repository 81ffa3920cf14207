import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from './state-dir';

describe('the default data directory of pxgate start', () => {
  it('is pxgate under $XDG_STATE_HOME when that is an absolute path', () => {
    expect(defaultDataDir({ XDG_STATE_HOME: '/var/lib/me' })).toBe('/var/lib/me/pxgate');
  });

  it('is ~/.local/state/pxgate otherwise, as the XDG rule says for a relative or unset value', () => {
    const fallback = join(homedir(), '.local', 'state', 'pxgate');
    expect(defaultDataDir({})).toBe(fallback);
    expect(defaultDataDir({ XDG_STATE_HOME: 'relative/state' })).toBe(fallback);
  });
});
