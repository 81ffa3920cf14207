import { DataType } from '../../../../shared/contract/types';
import { AGGREGATES } from './aggregates';
import { sketchQuantilesSql, sketchSql } from './sketch';
import { SqlArg } from './types';

/** One column of a shard's partial aggregate: its SQL over the group and its type. */
export interface PartialColumn {
  readonly sql: string;
  readonly type: DataType;
}

/**
 * How an aggregate is computed across gateways: each shard computes `parts` over its rows of a
 * group, and the gathering gateway merges those columns of every shard's group into the value.
 */
export interface PartialForm {
  parts(arg: SqlArg): readonly PartialColumn[];
  /** The merged value's SQL, from the SQL of the part columns (in the order of `parts`). */
  merge(parts: readonly string[], arg: { readonly type: DataType }): string;
}

const own = (name: string) => AGGREGATES.find((a) => a.name === name)!;

/** The same aggregate on each shard and over the shards' results. */
function reaggregate(name: string, over: string): PartialForm {
  return {
    parts: (arg) => [{ sql: own(name).sql(arg, undefined as never) as string, type: arg.type }],
    merge: ([p]) => `${over}(${p})`,
  };
}

/**
 * The aggregates that have a partial form, by name: count and sum add, a mean is a sum over a
 * count, min, max and any reduce again, and px.quantiles merges log-bucket sketches (sketch.ts).
 * An aggregate missing here is computed after the gather, over the shards' rows.
 */
export const PARTIAL_FORMS: Readonly<Record<string, PartialForm>> = {
  count: {
    parts: () => [{ sql: 'CAST(count(*) AS BIGINT)', type: 'INT64' }],
    merge: ([c]) => `CAST(COALESCE(sum(${c}), 0) AS BIGINT)`,
  },
  sum: {
    parts: (arg) => [
      { sql: own('sum').sql(arg, undefined as never) as string, type: sumType(arg.type) },
    ],
    merge: ([s], arg) => (arg.type === 'FLOAT64' ? `sum(${s})` : `CAST(sum(${s}) AS BIGINT)`),
  },
  mean: {
    parts: (arg) => [
      { sql: `sum(CAST(${arg.sql} AS DOUBLE))`, type: 'FLOAT64' },
      { sql: `CAST(count(${arg.sql}) AS BIGINT)`, type: 'INT64' },
    ],
    merge: ([s, c]) => `(sum(${s}) / NULLIF(sum(${c}), 0))`,
  },
  min: reaggregate('min', 'min'),
  max: reaggregate('max', 'max'),
  any: reaggregate('any', 'any_value'),
  quantiles: {
    parts: (arg) => [{ sql: sketchSql(arg.sql), type: 'STRING' }],
    merge: ([s]) => sketchQuantilesSql(s!),
  },
};

function sumType(type: DataType): DataType {
  return type === 'FLOAT64' ? 'FLOAT64' : 'INT64';
}
