import { BIGINT, DuckDBScalarFunction, DuckDBType, VARCHAR } from '@duckdb/node-api';
// The agent's normalizer is Pixie's normalize_pgsql/normalize_mysql; the gateway runs the same
// code so that a query reads the same whichever side normalizes it.
import { normalizeMysqlJson, normalizePgsqlJson } from '../../../../shared/common/sql/normalize';
import { MYSQL_SQL_NAME, PGSQL_SQL_NAME } from './normalize-sql';

/**
 * A DuckDB scalar function of two arguments computed in JavaScript, a chunk of rows per call.
 * NULL in gives NULL out; a failure becomes Pixie's `{"error"}` for that row, never a failed query.
 */
function udf<B>(
  name: string,
  cmdType: DuckDBType,
  fn: (text: string, cmd: B) => string,
): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name,
    returnType: VARCHAR,
    parameterTypes: [VARCHAR, cmdType],
    mainFunction: (_info, input, output) => {
      const texts = input.getColumnVector(0);
      const cmds = input.getColumnVector(1);
      for (let i = 0; i < input.rowCount; i++) {
        const text = texts.getItem(i);
        const cmd = cmds.getItem(i);
        if (typeof text !== 'string' || cmd === null) {
          output.setItem(i, null);
          continue;
        }
        let json: string;
        try {
          json = fn(text, cmd as B);
        } catch (err) {
          json = JSON.stringify({ error: err instanceof Error ? err.message : String(err) });
        }
        output.setItem(i, json);
      }
      output.flush();
    },
  });
}

/** The DuckDB functions the compiled SQL of these px functions calls. */
export function normalizeUdfs(): DuckDBScalarFunction[] {
  return [
    udf<string>(PGSQL_SQL_NAME, VARCHAR, normalizePgsqlJson),
    udf<bigint>(MYSQL_SQL_NAME, BIGINT, normalizeMysqlJson),
  ];
}
