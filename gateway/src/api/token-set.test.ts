import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../test/support/wait';
import { silentLogger } from '../../../shared/common/logger';
import { TokenSet } from './token-set';

const scopes = (set: TokenSet, token: string) => {
  const s = set.scopesOf(token);
  return s ? [...s].sort() : undefined;
};

describe('TokenSet', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pxgate-tokens-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives auth.token every scope and each listed token its own, joined when one repeats', () => {
    const set = TokenSet.fromConfig(
      {
        token: 'all-scopes-token-0000',
        tokens: [
          { token: 'agent-token-000000000', scopes: ['ingest'] },
          { token: 'reader-token-00000000', scopes: ['query'] },
          { token: 'reader-token-00000000', scopes: ['admin'] },
        ],
      },
      silentLogger(),
    );
    expect(set.enabled).toBe(true);
    expect(scopes(set, 'all-scopes-token-0000')).toEqual(['admin', 'ingest', 'query']);
    expect(scopes(set, 'agent-token-000000000')).toEqual(['ingest']);
    expect(scopes(set, 'reader-token-00000000')).toEqual(['admin', 'query']);
    expect(scopes(set, 'agent-token-00000000')).toBeUndefined();
    expect(scopes(set, '')).toBeUndefined();
  });

  it('is disabled without tokens, and issues tokens of its own', () => {
    const set = TokenSet.fromConfig({ tokens: [] }, silentLogger());
    expect(set.enabled).toBe(false);
    const issued = set.issue(['ingest']);
    expect(issued).toMatch(/^[\w-]{43}$/);
    expect(scopes(set, issued)).toEqual(['ingest']);
    expect(set.issue(['ingest'])).not.toBe(issued);
    expect(set.enabled).toBe(false);
  });

  it('reads token files, trimmed, and refuses to start on one it cannot use, naming its key', () => {
    writeFileSync(join(dir, 'ok'), 'token-from-a-file-000\n');
    writeFileSync(join(dir, 'short'), 'short\n');
    const set = TokenSet.fromConfig(
      { tokens: [{ tokenFile: join(dir, 'ok'), scopes: ['query'] }] },
      silentLogger(),
    );
    expect(scopes(set, 'token-from-a-file-000')).toEqual(['query']);
    const bad = (file: string) =>
      TokenSet.fromConfig(
        {
          tokens: [
            { tokenFile: join(dir, 'ok'), scopes: ['query'] },
            { tokenFile: join(dir, file), scopes: ['ingest'] },
          ],
        },
        silentLogger(),
      );
    expect(() => bad('short')).toThrow(
      `auth.tokens.1.tokenFile: ${join(dir, 'short')}: the token must be at least 16 characters`,
    );
    expect(() => bad('missing')).toThrow(/^auth\.tokens\.1\.tokenFile: ENOENT/);
  });

  it('takes a rotated token file without a restart, and refuses its token once the file is gone', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first-token-00000000');
    const set = TokenSet.fromConfig(
      { tokens: [{ tokenFile: file, scopes: ['ingest'] }] },
      silentLogger(),
    );
    set.start();
    try {
      // As Kubernetes updates a Secret volume: a new file renamed over the old one.
      writeFileSync(join(dir, 'next'), 'second-token-0000000\n');
      renameSync(join(dir, 'next'), file);
      await waitFor(
        () => scopes(set, 'second-token-0000000'),
        (s) => s !== undefined,
        {
          what: 'the rotated token',
          timeoutMs: 10000,
        },
      );
      expect(scopes(set, 'first-token-00000000')).toBeUndefined();
      rmSync(file);
      await waitFor(
        () => scopes(set, 'second-token-0000000'),
        (s) => s === undefined,
        {
          what: 'the token of a deleted file refused',
          timeoutMs: 10000,
        },
      );
    } finally {
      set.shutdown();
      set.shutdown();
    }
  });
});
