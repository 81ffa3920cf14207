import { SqlDialect, scanSql } from './sql-fragments';

/** A statement with its constants replaced by placeholders, and the values they stood for. */
export type NormalizeResult =
  { readonly query: string; readonly params: readonly string[] } | { readonly error: string };

const TOO_FEW_PARAMS =
  'Query has more parameter placeholders in it than parameter values were passed in';

/**
 * Pixie's SQL normalization: every constant and every parameter placeholder becomes the next
 * placeholder (`$1, $2, ...` in PostgreSQL, `?` in MySQL) and its value goes to `params` in
 * order; a placeholder's value comes from `paramValues` (`$n` is the n-th, each `?` the next).
 * MySQL's `@variables` stay as they are. Errors are Pixie's messages.
 */
export function normalizeSql(
  sql: string,
  dialect: SqlDialect,
  paramValues: readonly string[] = [],
): NormalizeResult {
  const scan = scanSql(sql, dialect);
  if (scan.error) return { error: scan.error.message };
  const pieces: string[] = [];
  const params: string[] = [];
  let from = 0;
  let next = 0;
  for (const f of scan.fragments) {
    const text = sql.slice(f.start, f.end);
    if (f.kind === 'constant') {
      params.push(text);
    } else {
      const index = dialect === 'mysql' ? next : Number(text.slice(1)) - 1;
      if (dialect === 'pgsql' && !(index >= 0)) return { error: `Placeholder ${text} invalid` };
      if (index >= paramValues.length) return { error: TOO_FEW_PARAMS };
      params.push(paramValues[index]!);
      if (dialect === 'mysql') next++;
    }
    pieces.push(sql.slice(from, f.start), dialect === 'mysql' ? '?' : `$${params.length}`);
    from = f.end;
  }
  pieces.push(sql.slice(from));
  return { query: pieces.join(''), params };
}

/** Pixie's pgsql_events.req_cmd of requests whose text px.normalize_pgsql reads. */
export const PGSQL_QUERY_CMD = 'Query';
export const PGSQL_EXECUTE_CMD = 'Execute';
/** Pixie's mysql_events.req_cmd (the command byte) of COM_QUERY and COM_STMT_EXECUTE. */
export const MYSQL_QUERY_CMD = 0x03;
export const MYSQL_EXECUTE_CMD = 0x17;

/**
 * px.normalize_pgsql: the JSON Pixie returns for a pgsql_events row's `req` and `req_cmd`,
 * `{"query": ..., "params": [...]}` or `{"error": ...}`. An Execute's text is
 * `query=[...] params=[...]` as the agent writes it.
 */
export function normalizePgsqlJson(req: string, reqCmd: string): string {
  if (reqCmd === PGSQL_EXECUTE_CMD) return resultJson(normalizeExecute(req, 'pgsql'));
  if (reqCmd === PGSQL_QUERY_CMD) return resultJson(normalizeSql(req, 'pgsql'));
  return resultJson({
    error: `cmd_code must be one of '${PGSQL_QUERY_CMD}' or '${PGSQL_EXECUTE_CMD}'`,
  });
}

/** px.normalize_mysql: the same for a mysql_events row's `req_body` and `req_cmd`. */
export function normalizeMysqlJson(reqBody: string, reqCmd: number | bigint): string {
  const cmd = Number(reqCmd);
  if (cmd === MYSQL_EXECUTE_CMD) return resultJson(normalizeExecute(reqBody, 'mysql'));
  if (cmd === MYSQL_QUERY_CMD) return resultJson(normalizeSql(reqBody, 'mysql'));
  return resultJson({
    error: `cmd_code must be one of '${MYSQL_QUERY_CMD}' or '${MYSQL_EXECUTE_CMD}'`,
  });
}

/** An executed statement's text and its parameters, as the agent renders them. */
export interface ExecuteText {
  readonly query: string;
  readonly params: string[];
}

/**
 * Splits `query=[Q] params=[A, B]` as Pixie does: the query ends at its first `]`, the parameters
 * at the last, and they are separated by ", " (so a value holding ", " reads as two).
 */
export function parseExecuteText(text: string): ExecuteText {
  let rest = text.startsWith('query=[') ? text.slice(7) : text;
  const close = rest.indexOf(']');
  const query = close < 0 ? rest : rest.slice(0, close);
  rest = rest.slice(query.length);
  if (rest.startsWith('] params=[')) rest = rest.slice(10);
  const last = rest.lastIndexOf(']');
  return { query, params: (last < 0 ? rest : rest.slice(0, last)).split(', ') };
}

/** Renders an executed statement as Pixie does: `query=[Q] params=[A, B]`. */
export function executeText(query: string, params: readonly string[]): string {
  return `query=[${query}] params=[${params.join(', ')}]`;
}

function normalizeExecute(text: string, dialect: SqlDialect): NormalizeResult {
  const { query, params } = parseExecuteText(text);
  return normalizeSql(query, dialect, params);
}

function resultJson(r: NormalizeResult): string {
  return 'error' in r ? JSON.stringify({ error: r.error }) : JSON.stringify(r);
}
