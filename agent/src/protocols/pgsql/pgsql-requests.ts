import { SqlProtocolError } from '../sql/binary-reader';
import { clip } from '../sql/bounded-text';
import {
  BindMessage,
  ParseMessage,
  TargetMessage,
  decodeBind,
  decodeExecute,
  decodeParse,
  decodeQuery,
  decodeTarget,
  untaggedCode,
} from './pgsql-decode';
import { PgMessage } from './pgsql-messages';
import { GSSENC_REQUEST, PROTOCOL_3_0, SSL_REQUEST, Tag } from './pgsql-protocol';
import { ResultText } from './result-text';

/** A request waiting for its response, by what its response will be. */
export type Pending =
  | { readonly kind: 'startup' | 'ssl' | 'sync' | 'function'; readonly startTs: number }
  | { readonly kind: 'close'; readonly startTs: number; readonly target?: TargetMessage }
  | { readonly kind: 'query'; readonly startTs: number; readonly query: string; resp?: ResultText }
  | { readonly kind: 'parse'; readonly startTs: number; readonly msg?: ParseMessage }
  | { readonly kind: 'bind'; readonly startTs: number; readonly msg?: BindMessage }
  | { readonly kind: 'describe'; readonly startTs: number; readonly msg?: TargetMessage }
  | {
      readonly kind: 'execute';
      readonly startTs: number;
      readonly portal?: string;
      req?: string;
      resp?: ResultText;
    };

/**
 * What a client's message waits for: the entry its answer will complete, or no entry for a
 * message nothing answers (Flush, Terminate, COPY data, passwords, CancelRequest). A message whose
 * fields do not hold together still waits, without its content (its answer must be consumed),
 * and is `broken`, for the error count.
 */
export function pendingRequest(
  m: PgMessage,
  maxTextChars: number,
): { readonly pending?: Pending; readonly broken: boolean } {
  let broken = false;
  const attempt = <T>(decode: () => T): T | undefined => {
    try {
      return decode();
    } catch (err) {
      if (!(err instanceof SqlProtocolError)) throw err;
      broken = true;
      return undefined;
    }
  };
  const startTs = m.startTs;
  const { payload, truncated } = m;
  const pending = ((): Pending | undefined => {
    if (m.untagged) {
      const code = attempt(() => untaggedCode(payload));
      if (code === PROTOCOL_3_0) return { kind: 'startup', startTs };
      return code === SSL_REQUEST || code === GSSENC_REQUEST ? { kind: 'ssl', startTs } : undefined;
    }
    switch (m.tag) {
      case Tag.Query:
        return { kind: 'query', startTs, query: clip(decodeQuery(payload), maxTextChars) };
      case Tag.Parse:
        return { kind: 'parse', startTs, msg: attempt(() => decodeParse(payload, truncated)) };
      case Tag.Bind: {
        const msg = attempt(() => decodeBind(payload, truncated, maxTextChars));
        return { kind: 'bind', startTs, msg };
      }
      case Tag.Describe:
        return { kind: 'describe', startTs, msg: attempt(() => decodeTarget(payload, truncated)) };
      case Tag.Execute: {
        const portal = attempt(() => decodeExecute(payload, truncated));
        return { kind: 'execute', startTs, portal };
      }
      case Tag.Close:
        return { kind: 'close', startTs, target: attempt(() => decodeTarget(payload, truncated)) };
      case Tag.Sync:
        return { kind: 'sync', startTs };
      case Tag.FunctionCall:
        return { kind: 'function', startTs };
      default:
        return undefined;
    }
  })();
  return { pending, broken };
}
