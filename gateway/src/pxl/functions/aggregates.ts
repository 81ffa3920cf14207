import { DataType, SemanticType } from '../../../../shared/contract/types';
import { AggregateFunction, ArgInfo } from './types';

const NUMERIC: readonly DataType[] = ['INT64', 'FLOAT64'];
const ORDERED: readonly DataType[] = ['INT64', 'FLOAT64', 'STRING', 'TIME64NS', 'BOOLEAN'];
const ANY: readonly DataType[] = [...ORDERED, 'UINT128'];

const keep = (arg: ArgInfo): SemanticType => arg.semanticType;

/** Aggregates for `agg(name=(column, px.fn))`. */
export const AGGREGATES: readonly AggregateFunction[] = [
  {
    kind: 'aggregate',
    name: 'count',
    doc: 'The number of rows in the group.',
    signatures: ANY.map((t) => ({ args: [t], returns: 'INT64' as const })),
    sql: () => 'CAST(count(*) AS BIGINT)',
  },
  {
    kind: 'aggregate',
    name: 'sum',
    doc: 'The sum of the values; booleans count their true values.',
    signatures: [
      { args: ['INT64'], returns: 'INT64' },
      { args: ['FLOAT64'], returns: 'FLOAT64' },
      { args: ['BOOLEAN'], returns: 'INT64' },
    ],
    semantic: keep,
    sql: (arg) =>
      arg.type === 'FLOAT64'
        ? `sum(${arg.sql})`
        : `CAST(sum(CAST(${arg.sql} AS BIGINT)) AS BIGINT)`,
  },
  {
    kind: 'aggregate',
    name: 'mean',
    doc: 'The mean of the values; for booleans, the share of true values (a rate).',
    signatures: [...NUMERIC, 'BOOLEAN' as const].map((t) => ({
      args: [t],
      returns: 'FLOAT64' as const,
    })),
    semantic: (arg) => (arg.type === 'BOOLEAN' ? 'ST_NONE' : arg.semanticType),
    sql: (arg) => (arg.type === 'BOOLEAN' ? `avg(CAST(${arg.sql} AS INTEGER))` : `avg(${arg.sql})`),
  },
  {
    kind: 'aggregate',
    name: 'min',
    doc: 'The smallest value.',
    signatures: ORDERED.map((t) => ({ args: [t], returns: t })),
    semantic: keep,
    sql: (arg) => `min(${arg.sql})`,
  },
  {
    kind: 'aggregate',
    name: 'max',
    doc: 'The largest value.',
    signatures: ORDERED.map((t) => ({ args: [t], returns: t })),
    semantic: keep,
    sql: (arg) => `max(${arg.sql})`,
  },
  {
    kind: 'aggregate',
    name: 'any',
    doc: 'One of the values (whichever comes first).',
    signatures: ANY.map((t) => ({ args: [t], returns: t })),
    semantic: keep,
    sql: (arg) => `any_value(${arg.sql})`,
  },
  {
    kind: 'aggregate',
    name: 'quantiles',
    doc: 'The p01, p10, p25, p50, p75, p90 and p99 quantiles, as a JSON object string; read with px.pluck_float64.',
    signatures: [...NUMERIC, 'TIME64NS' as const].map((t) => ({
      args: [t],
      returns: 'STRING' as const,
    })),
    semantic: (arg) =>
      arg.semanticType === 'ST_DURATION_NS' ? 'ST_DURATION_NS_QUANTILES' : 'ST_QUANTILES',
    sql: (arg, ctx) => {
      const slot = ctx.quantileSlot();
      return {
        sql: `quantile_cont(${arg.sql}, ${slot.fractionsSql()})`,
        repr: { kind: 'quantiles', slot },
      };
    },
  },
];
