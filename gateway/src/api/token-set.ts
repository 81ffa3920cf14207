import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Logger } from '../../../shared/common/logger';
import { readTokenFile } from '../../../shared/common/read-small-file';
import { watchFiles } from '../../../shared/common/watch-files';
import { SCOPES, Scope } from '../../../cli/config/auth-schema';
import { Config } from '../../../cli/config/schema';

interface Entry {
  /** SHA-256 of the token; undefined while its file cannot be read (it then matches nothing). */
  digest: Buffer | undefined;
  readonly scopes: number;
  /** Where the token comes from, for logs: never the token itself. */
  readonly source: string;
  readonly file?: string;
}

const BIT: Record<Scope, number> = { ingest: 1, query: 2, admin: 4 };
const ALL = BIT.ingest | BIT.query | BIT.admin;
const NO_MATCH = Buffer.alloc(32);

const digestOf = (token: string) => createHash('sha256').update(token).digest();
const maskOf = (scopes: readonly Scope[]) => scopes.reduce((m, s) => m | BIT[s], 0);

/**
 * The tokens the gateway accepts, each with its scopes: `auth.token` (every scope), the entries
 * of `auth.tokens`, and tokens issued in-process (the local agent's). Token files are read at
 * start (an unreadable one stops the gateway) and again when they change; a file that turns
 * unreadable or invalid matches nothing until it is fixed, so deleting a token's file revokes it.
 */
export class TokenSet {
  private stopWatching: (() => void) | undefined;

  private constructor(
    private readonly entries: Entry[],
    private readonly log: Logger,
  ) {}

  /** The tokens of a configuration; throws naming the key of a token file it cannot read. */
  static fromConfig(auth: Config['auth'], log: Logger): TokenSet {
    const entries: Entry[] = [];
    if (auth.token)
      entries.push({ digest: digestOf(auth.token), scopes: ALL, source: 'auth.token' });
    auth.tokens.forEach((t, i) => {
      const source = `auth.tokens.${i}`;
      const scopes = maskOf(t.scopes);
      if (t.token !== undefined) {
        entries.push({ digest: digestOf(t.token), scopes, source });
        return;
      }
      const file = t.tokenFile!;
      try {
        entries.push({ digest: digestOf(readTokenFile(file)), scopes, source, file });
      } catch (err) {
        throw new Error(`${source}.tokenFile: ${(err as Error).message}`);
      }
    });
    return new TokenSet(entries, log);
  }

  /** True when any token is configured: the API then requires one (issued ones do not count). */
  get enabled(): boolean {
    return this.entries.some((e) => e.source !== 'issued');
  }

  /** Follows the token files' changes. */
  start(): void {
    const files = this.entries.flatMap((e) => (e.file ? [e.file] : []));
    if (files.length > 0 && !this.stopWatching) {
      this.stopWatching = watchFiles(files, () => this.reload());
    }
  }

  shutdown(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** Makes a new random token with these scopes, valid while this process runs. */
  issue(scopes: readonly Scope[]): string {
    const token = randomBytes(32).toString('base64url');
    this.entries.push({ digest: digestOf(token), scopes: maskOf(scopes), source: 'issued' });
    return token;
  }

  /**
   * The scopes of a presented token, or undefined for an unknown one. Every entry is compared,
   * in constant time and without an early exit, so the answer's timing tells nothing of which
   * token matched or how much of one did (the hashes also make every comparison 32 bytes).
   */
  scopesOf(token: string): ReadonlySet<Scope> | undefined {
    const given = digestOf(token);
    let found = 0;
    let mask = 0;
    for (const e of this.entries) {
      const eq = timingSafeEqual(given, e.digest ?? NO_MATCH) && e.digest !== undefined ? 1 : 0;
      found |= eq;
      mask |= e.scopes & -eq;
    }
    if (!found) return undefined;
    return new Set(SCOPES.filter((s) => mask & BIT[s]));
  }

  private reload(): void {
    for (const e of this.entries) {
      if (!e.file) continue;
      try {
        const digest = digestOf(readTokenFile(e.file));
        if (e.digest && digest.equals(e.digest)) continue;
        e.digest = digest;
        this.log.info({ key: `${e.source}.tokenFile`, file: e.file }, 'token file read again');
      } catch (err) {
        if (e.digest) {
          this.log.error(
            { key: `${e.source}.tokenFile`, err: (err as Error).message },
            'token file unreadable: its token is refused until the file is fixed',
          );
        }
        e.digest = undefined;
      }
    }
  }
}
