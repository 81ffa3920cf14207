import { CapturedTable, PlainRow } from './protocol-rows';

/**
 * The database calls in protocol rows, as pxgate's scripts and presets define them, computed
 * in plain TypeScript for tests to compare with: a call is a statement run (PostgreSQL Query
 * and Execute, MySQL COM_QUERY and COM_STMT_EXECUTE), a Redis command (not a published
 * message), or any other request the database refused.
 */
export interface DbCall {
  readonly row: PlainRow;
  readonly system: 'postgresql' | 'mysql' | 'redis';
  /** The statement's first keyword, upper case, or the Redis command; "" when there is none. */
  readonly operation: string;
  readonly failed: boolean;
  /** PostgreSQL's SQLSTATE or the Redis error prefix of a failure; "" otherwise. */
  readonly statusCode: string;
}

export const pgsqlFailed = (r: PlainRow) => String(r.resp).startsWith('ERROR RESPONSE');
export const mysqlFailed = (r: PlainRow) => r.resp_status === 3;
export const redisFailed = (r: PlainRow) => /^-[A-Z]/.test(String(r.resp));

/** The first keyword of a statement, after an Execute's `query=[`, spaces and parentheses. */
export function sqlOperation(text: string): string {
  const m = /^(query=\[)?[\s(]*([A-Za-z]+)/.exec(text);
  return m ? m[2]!.toUpperCase() : '';
}

/** Every call in the rows, from both ends of each connection. */
export function dbCalls(rows: ReadonlyMap<CapturedTable, readonly PlainRow[]>): DbCall[] {
  const pg = (rows.get('pgsql_events') ?? [])
    .filter((r) => r.req_cmd === 'Query' || r.req_cmd === 'Execute' || pgsqlFailed(r))
    .map((r): DbCall => {
      const failed = pgsqlFailed(r);
      return {
        row: r,
        system: 'postgresql',
        failed,
        operation: ['Query', 'Parse', 'Execute'].includes(String(r.req_cmd))
          ? sqlOperation(String(r.req))
          : '',
        statusCode: failed ? (/Code=([0-9A-Z]{5})/.exec(String(r.resp))?.[1] ?? '') : '',
      };
    });
  const my = (rows.get('mysql_events') ?? [])
    .filter((r) => r.req_cmd === 3 || r.req_cmd === 23 || mysqlFailed(r))
    .map((r): DbCall => ({
      row: r,
      system: 'mysql',
      failed: mysqlFailed(r),
      operation: [3, 22, 23].includes(Number(r.req_cmd)) ? sqlOperation(String(r.req_body)) : '',
      statusCode: '',
    }));
  const rd = (rows.get('redis_events') ?? [])
    .filter((r) => r.req_cmd !== 'PUSH PUB')
    .map((r): DbCall => {
      const failed = redisFailed(r);
      return {
        row: r,
        system: 'redis',
        failed,
        operation: String(r.req_cmd),
        statusCode: failed ? /^-([A-Z]+)/.exec(String(r.resp))![1]! : '',
      };
    });
  return [...pg, ...my, ...rd];
}

/** How many items fall in each group. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}
