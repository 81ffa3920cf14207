import { DataType, SemanticType } from '../../../../shared/contract/types';
import { ArgInfo, EmitContext, ScalarFunction, Signature, SqlArg } from './types';

function sig(args: DataType[], returns: DataType): Signature {
  return { args, returns };
}

const keep = (args: readonly ArgInfo[]): SemanticType => args[0]!.semanticType;
const fixed = (st: SemanticType) => (): SemanticType => st;

/** `$."key"`: a JSONPath naming one member, whatever characters the key has. */
function memberPath(key: SqlArg, ctx: EmitContext): string {
  return ctx.param(`$.${JSON.stringify(String(key.literal))}`, 'STRING');
}

/** Extracts a member of a JSON string as text; malformed JSON and missing keys give NULL. */
function jsonMember(args: readonly SqlArg[], ctx: EmitContext): string {
  return `TRY(json_extract_string(${ctx.asValue(args[0]!)}, ${memberPath(args[1]!, ctx)}))`;
}

/** `px.DurationNanos(x)` and friends: the value unchanged, with a semantic type. */
function semanticWrapper(name: string, st: SemanticType, doc: string): ScalarFunction {
  return {
    kind: 'scalar',
    name,
    doc,
    signatures: [sig(['INT64'], 'INT64'), sig(['FLOAT64'], 'FLOAT64')],
    semantic: fixed(st),
    sql: (args) => args[0]!.sql,
  };
}

/** The px types a string can be cast to (`px.Service(x)`), with the semantic type they give. */
export const PX_TYPE_CASTS: Readonly<Record<string, SemanticType>> = {
  Service: 'ST_SERVICE_NAME',
  Pod: 'ST_POD_NAME',
  Namespace: 'ST_NAMESPACE_NAME',
  Node: 'ST_NODE_NAME',
  Container: 'ST_CONTAINER_NAME',
};

/** The internal function that gives a string the semantic type `st` (`px.Service(x)`). */
export function semanticCastName(st: SemanticType): string {
  return `_as_${st}`;
}

function semanticCast(st: SemanticType): ScalarFunction {
  return {
    kind: 'scalar',
    name: semanticCastName(st),
    doc: `The string with semantic type ${st}.`,
    internal: true,
    signatures: [sig(['STRING'], 'STRING')],
    semantic: fixed(st),
    sql: (args) => args[0]!.sql,
  };
}

function durationUnit(name: string, ns: bigint, doc: string): ScalarFunction {
  return {
    kind: 'scalar',
    name,
    doc,
    signatures: [sig(['INT64'], 'INT64'), sig(['FLOAT64'], 'INT64')],
    semantic: fixed('ST_DURATION_NS'),
    sql: (args, ctx) => `CAST(${args[0]!.sql} * ${ctx.param(ns, 'INT64')} AS BIGINT)`,
  };
}

const UINT32_MASK = '4294967295';
const UINT64_MASK = '18446744073709551615';

/** Per-row functions: time, strings, JSON, math, UPIDs and semantic types. */
export const SCALARS: readonly ScalarFunction[] = [
  {
    kind: 'scalar',
    name: 'bin',
    doc: 'Rounds `x` down to a multiple of `size` (e.g. time windows: `px.bin(df.time_, px.seconds(10))`).',
    signatures: [sig(['TIME64NS', 'INT64'], 'TIME64NS'), sig(['INT64', 'INT64'], 'INT64')],
    semantic: keep,
    sql: (args) => `(${args[0]!.sql} - (${args[0]!.sql} % ${args[1]!.sql}))`,
  },
  semanticWrapper('DurationNanos', 'ST_DURATION_NS', 'Marks a value as a duration in nanoseconds.'),
  semanticWrapper('Bytes', 'ST_BYTES', 'Marks a value as a number of bytes.'),
  semanticWrapper('Percent', 'ST_PERCENT', 'Marks a value as a ratio shown as a percentage.'),
  ...Object.values(PX_TYPE_CASTS).map(semanticCast),
  durationUnit('seconds', 1_000_000_000n, 'A number of seconds as nanoseconds.'),
  durationUnit('minutes', 60_000_000_000n, 'A number of minutes as nanoseconds.'),
  durationUnit('hours', 3_600_000_000_000n, 'A number of hours as nanoseconds.'),
  durationUnit('milliseconds', 1_000_000n, 'A number of milliseconds as nanoseconds.'),
  durationUnit('microseconds', 1_000n, 'A number of microseconds as nanoseconds.'),
  {
    kind: 'scalar',
    name: 'contains',
    doc: 'True where `s` contains `substr`.',
    signatures: [sig(['STRING', 'STRING'], 'BOOLEAN')],
    sql: (args) => `contains(${args[0]!.sql}, ${args[1]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'select',
    doc: '`a` where `cond` is true, else `b`.',
    signatures: (['BOOLEAN', 'INT64', 'FLOAT64', 'STRING', 'TIME64NS', 'UINT128'] as const).map(
      (t) => sig(['BOOLEAN', t, t], t),
    ),
    semantic: (args) =>
      args[1]!.semanticType === args[2]!.semanticType ? args[1]!.semanticType : 'ST_NONE',
    sql: (args) => `(CASE WHEN ${args[0]!.sql} THEN ${args[1]!.sql} ELSE ${args[2]!.sql} END)`,
  },
  {
    kind: 'scalar',
    name: 'pluck',
    reprArgs: true,
    doc: 'The member `key` of a JSON object string, as text ("" when absent or not JSON).',
    signatures: [sig(['STRING', 'STRING'], 'STRING')],
    literalArgs: [1],
    sql: (args, ctx) => `COALESCE(${jsonMember(args, ctx)}, '')`,
  },
  {
    kind: 'scalar',
    name: 'pluck_float64',
    reprArgs: true,
    doc: 'The member `key` of a JSON object string as FLOAT64 (0 when absent); reads px.quantiles.',
    signatures: [sig(['STRING', 'STRING'], 'FLOAT64')],
    literalArgs: [1],
    semantic: (args) =>
      args[0]!.semanticType === 'ST_DURATION_NS_QUANTILES' ? 'ST_DURATION_NS' : 'ST_NONE',
    sql: (args, ctx) => {
      const [value, key] = args as [SqlArg, SqlArg];
      const element = value.repr?.slot.element(value.sql, String(key.literal));
      if (element) return element;
      return `COALESCE(TRY_CAST(${jsonMember(args, ctx)} AS DOUBLE), 0.0)`;
    },
  },
  {
    kind: 'scalar',
    name: 'pluck_int64',
    reprArgs: true,
    doc: 'The member `key` of a JSON object string as INT64 (0 when absent or not an integer).',
    signatures: [sig(['STRING', 'STRING'], 'INT64')],
    literalArgs: [1],
    sql: (args, ctx) => `COALESCE(TRY_CAST(${jsonMember(args, ctx)} AS BIGINT), 0)`,
  },
  {
    kind: 'scalar',
    name: 'pluck_array',
    doc: 'The element `index` of a JSON array string, as text ("" when absent, null or not an array).',
    signatures: [sig(['STRING', 'INT64'], 'STRING')],
    sql: (args) => {
      const [json, index] = [args[0]!.sql, args[1]!.sql];
      return (
        `(CASE WHEN ${index} < 0 OR TRY(json_type(${json})) IS DISTINCT FROM 'ARRAY' THEN '' ` +
        `ELSE COALESCE(TRY(json_extract_string(${json}, '$[' || ${index} || ']')), '') END)`
      );
    },
  },
  {
    kind: 'scalar',
    name: 'length',
    doc: 'The length of a string in bytes.',
    signatures: [sig(['STRING'], 'INT64')],
    sql: (args) => `CAST(strlen(${args[0]!.sql}) AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'substring',
    doc: 'The `length` characters of `s` from 0-based position `pos`.',
    signatures: [sig(['STRING', 'INT64', 'INT64'], 'STRING')],
    semantic: keep,
    sql: (args) => `substring(${args[0]!.sql}, ${args[1]!.sql} + 1, ${args[2]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'find',
    doc: 'The 0-based position of `substr` in `s`, or -1.',
    signatures: [sig(['STRING', 'STRING'], 'INT64')],
    sql: (args) => `CAST(instr(${args[0]!.sql}, ${args[1]!.sql}) - 1 AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'regex_match',
    doc: 'True where the whole of `s` matches the RE2 `pattern`: `px.regex_match(pattern, s)`.',
    signatures: [sig(['STRING', 'STRING'], 'BOOLEAN')],
    literalArgs: [0],
    sql: (args) => `regexp_full_match(${args[1]!.sql}, ${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'replace',
    doc: 'Replaces every match of the RE2 `pattern` in `s`: `px.replace(pattern, s, replacement)`.',
    signatures: [sig(['STRING', 'STRING', 'STRING'], 'STRING')],
    literalArgs: [0],
    sql: (args) => `regexp_replace(${args[1]!.sql}, ${args[0]!.sql}, ${args[2]!.sql}, 'g')`,
  },
  {
    kind: 'scalar',
    name: 'tolower',
    doc: 'The string in lower case.',
    signatures: [sig(['STRING'], 'STRING')],
    semantic: keep,
    sql: (args) => `lower(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'toupper',
    doc: 'The string in upper case.',
    signatures: [sig(['STRING'], 'STRING')],
    semantic: keep,
    sql: (args) => `upper(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'trim',
    doc: 'The string without leading and trailing whitespace.',
    signatures: [sig(['STRING'], 'STRING')],
    semantic: keep,
    sql: (args) => `trim(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'strip_prefix',
    doc: 'The string without `prefix` at its start: `px.strip_prefix(prefix, s)`.',
    signatures: [sig(['STRING', 'STRING'], 'STRING')],
    sql: (args) => {
      const [prefix, s] = [args[0]!.sql, args[1]!.sql];
      return `(CASE WHEN starts_with(${s}, ${prefix}) THEN substring(${s}, length(${prefix}) + 1) ELSE ${s} END)`;
    },
  },
  {
    kind: 'scalar',
    name: 'floor',
    doc: 'The largest integer not above `x`.',
    signatures: [sig(['FLOAT64'], 'INT64'), sig(['INT64'], 'INT64')],
    semantic: keep,
    sql: (args) => `CAST(floor(${args[0]!.sql}) AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'ceil',
    doc: 'The smallest integer not below `x`.',
    signatures: [sig(['FLOAT64'], 'INT64'), sig(['INT64'], 'INT64')],
    semantic: keep,
    sql: (args) => `CAST(ceil(${args[0]!.sql}) AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'round',
    doc: '`x` rounded to `decimals` decimal places.',
    signatures: [sig(['FLOAT64', 'INT64'], 'FLOAT64')],
    semantic: keep,
    sql: (args) => `round(${args[0]!.sql}, CAST(${args[1]!.sql} AS INTEGER))`,
  },
  {
    kind: 'scalar',
    name: 'abs',
    doc: 'The absolute value.',
    signatures: [sig(['INT64'], 'INT64'), sig(['FLOAT64'], 'FLOAT64')],
    semantic: keep,
    sql: (args) => `abs(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'sqrt',
    doc: 'The square root.',
    signatures: [sig(['FLOAT64'], 'FLOAT64')],
    sql: (args) => `sqrt(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'log',
    doc: 'The natural logarithm.',
    signatures: [sig(['FLOAT64'], 'FLOAT64')],
    sql: (args) => `ln(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'atoi',
    doc: 'The integer a string spells, or 0.',
    signatures: [sig(['STRING'], 'INT64')],
    sql: (args) => `COALESCE(TRY_CAST(${args[0]!.sql} AS BIGINT), 0)`,
  },
  {
    kind: 'scalar',
    name: 'itoa',
    doc: 'An integer as its decimal string.',
    signatures: [sig(['INT64'], 'STRING')],
    sql: (args) => `CAST(${args[0]!.sql} AS VARCHAR)`,
  },
  {
    kind: 'scalar',
    name: 'format_duration',
    doc: 'A duration in nanoseconds written the way Go prints it: `250ms`, `1.5s`, `2m3s`.',
    signatures: [sig(['INT64'], 'STRING')],
    sql: (args) => `_pxl_format_duration(${args[0]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'time_to_int64',
    doc: 'A time as nanoseconds since the epoch.',
    signatures: [sig(['TIME64NS'], 'INT64')],
    sql: (args) => args[0]!.sql,
  },
  {
    kind: 'scalar',
    name: 'int64_to_time',
    doc: 'Nanoseconds since the epoch as a time.',
    signatures: [sig(['INT64'], 'TIME64NS')],
    sql: (args) => args[0]!.sql,
  },
  {
    kind: 'scalar',
    name: 'upid_to_pid',
    doc: 'The process id inside a UPID.',
    signatures: [sig(['UINT128'], 'INT64')],
    sql: (args) => `CAST((${args[0]!.sql} >> 64) & ${UINT32_MASK} AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'upid_to_asid',
    doc: 'The agent short id inside a UPID.',
    signatures: [sig(['UINT128'], 'INT64')],
    sql: (args) => `CAST(${args[0]!.sql} >> 96 AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'upid_to_start_ts',
    doc: 'The process start time (in clock ticks since boot) inside a UPID.',
    signatures: [sig(['UINT128'], 'INT64')],
    sql: (args) => `CAST(${args[0]!.sql} & ${UINT64_MASK} AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'upid_to_string',
    doc: 'A UPID written as `asid:pid:start_ticks`.',
    signatures: [sig(['UINT128'], 'STRING')],
    sql: (args) => {
      const u = args[0]!.sql;
      return `concat(${u} >> 96, ':', (${u} >> 64) & ${UINT32_MASK}, ':', ${u} & ${UINT64_MASK})`;
    },
  },
];
