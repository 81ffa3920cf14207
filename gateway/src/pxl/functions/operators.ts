import { DataType, SemanticType } from '../../../../shared/contract/types';
import { ArgInfo, ScalarFunction, Signature, SqlArg } from './types';

const NUMERIC_PAIRS: readonly [DataType, DataType, DataType][] = [
  ['INT64', 'INT64', 'INT64'],
  ['FLOAT64', 'FLOAT64', 'FLOAT64'],
  ['INT64', 'FLOAT64', 'FLOAT64'],
  ['FLOAT64', 'INT64', 'FLOAT64'],
];

function sigs(rows: readonly (readonly DataType[])[]): Signature[] {
  return rows.map((r) => ({ args: r.slice(0, -1), returns: r[r.length - 1]! }));
}

const sameSemantic = (args: readonly ArgInfo[]): SemanticType => {
  const [a, b] = args;
  if (a && b && a.semanticType === b.semanticType) return a.semanticType;
  return 'ST_NONE';
};

/** A unit divided by a time is a rate: bytes per ns, or events per ns. */
const divideSemantic = (args: readonly ArgInfo[]): SemanticType => {
  const [a, b] = args as [ArgInfo, ArgInfo];
  if (b.semanticType === 'ST_DURATION_NS') {
    if (a.semanticType === 'ST_BYTES') return 'ST_THROUGHPUT_BYTES_PER_NS';
    if (a.semanticType === 'ST_NONE') return 'ST_THROUGHPUT_PER_NS';
    return 'ST_NONE';
  }
  return b.semanticType === 'ST_NONE' ? a.semanticType : 'ST_NONE';
};

const infix =
  (op: string) =>
  (args: readonly SqlArg[]): string =>
    `(${args[0]!.sql} ${op} ${args[1]!.sql})`;

function comparison(name: string, op: string, doc: string, ordered: boolean): ScalarFunction {
  const same: DataType[] = ordered
    ? ['INT64', 'FLOAT64', 'STRING', 'TIME64NS', 'BOOLEAN']
    : ['INT64', 'FLOAT64', 'STRING', 'TIME64NS', 'BOOLEAN', 'UINT128'];
  return {
    kind: 'scalar',
    name,
    doc,
    signatures: [
      ...same.map((t) => ({ args: [t, t], returns: 'BOOLEAN' as const })),
      ...sigs([
        ['INT64', 'FLOAT64', 'BOOLEAN'],
        ['FLOAT64', 'INT64', 'BOOLEAN'],
        ['TIME64NS', 'INT64', 'BOOLEAN'],
        ['INT64', 'TIME64NS', 'BOOLEAN'],
        // == and != also take a BOOLEAN and an INT64, the boolean counting as 0 or 1 (as in
        // Pixie, and as DuckDB compares them): `px.contains(s, x) != 1`.
        ...(ordered
          ? []
          : ([
              ['BOOLEAN', 'INT64', 'BOOLEAN'],
              ['INT64', 'BOOLEAN', 'BOOLEAN'],
            ] as const)),
      ]),
    ],
    sql: infix(op),
  };
}

/** The operators of PxL expressions, named as Pixie names them (`px.add`, `px.equal`, ...). */
export const OPERATORS: readonly ScalarFunction[] = [
  {
    kind: 'scalar',
    name: 'add',
    doc: 'Adds two values (`a + b`); strings are concatenated.',
    signatures: sigs([
      ...NUMERIC_PAIRS,
      ['TIME64NS', 'INT64', 'TIME64NS'],
      ['INT64', 'TIME64NS', 'TIME64NS'],
      ['STRING', 'STRING', 'STRING'],
    ]),
    semantic: sameSemantic,
    sql: (args) => (args[0]!.type === 'STRING' ? infix('||')(args) : infix('+')(args)),
  },
  {
    kind: 'scalar',
    name: 'subtract',
    doc: 'Subtracts `b` from `a` (`a - b`); the difference of two times is an INT64 duration.',
    signatures: sigs([
      ...NUMERIC_PAIRS,
      ['TIME64NS', 'INT64', 'TIME64NS'],
      ['TIME64NS', 'TIME64NS', 'INT64'],
    ]),
    semantic: (args, returns) =>
      args[0]!.type === 'TIME64NS' && returns === 'INT64' ? 'ST_DURATION_NS' : sameSemantic(args),
    sql: infix('-'),
  },
  {
    kind: 'scalar',
    name: 'multiply',
    doc: 'Multiplies two numbers (`a * b`).',
    signatures: sigs(NUMERIC_PAIRS),
    semantic: (args) => {
      const [a, b] = args as [ArgInfo, ArgInfo];
      if (a.semanticType === 'ST_NONE') return b.semanticType;
      return b.semanticType === 'ST_NONE' ? a.semanticType : 'ST_NONE';
    },
    sql: infix('*'),
  },
  {
    kind: 'scalar',
    name: 'divide',
    doc: 'Divides `a` by `b` (`a / b`), always as FLOAT64; division by zero gives null.',
    signatures: sigs(NUMERIC_PAIRS.map(([a, b]) => [a, b, 'FLOAT64'])),
    semantic: divideSemantic,
    sql: (args) => `(CAST(${args[0]!.sql} AS DOUBLE) / ${args[1]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'modulo',
    doc: 'The remainder of `a / b` (`a % b`), with the sign of `a`.',
    signatures: sigs(NUMERIC_PAIRS),
    semantic: (args) => args[0]!.semanticType,
    sql: (args) =>
      args[0]!.type === 'INT64' && args[1]!.type === 'INT64'
        ? infix('%')(args)
        : `fmod(${args[0]!.sql}, ${args[1]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'floorDivide',
    doc: 'Floor division (`a // b`).',
    internal: true,
    signatures: sigs(NUMERIC_PAIRS.map(([a, b]) => [a, b, 'INT64'])),
    sql: (args) => `CAST(floor(CAST(${args[0]!.sql} AS DOUBLE) / ${args[1]!.sql}) AS BIGINT)`,
  },
  {
    kind: 'scalar',
    name: 'pow',
    doc: '`a` raised to the power `b` (`a ** b`), as FLOAT64.',
    signatures: sigs(NUMERIC_PAIRS.map(([a, b]) => [a, b, 'FLOAT64'])),
    sql: (args) => `pow(${args[0]!.sql}, ${args[1]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'negate',
    doc: 'The negative of a number (`-a`).',
    signatures: sigs([
      ['INT64', 'INT64'],
      ['FLOAT64', 'FLOAT64'],
    ]),
    semantic: (args) => args[0]!.semanticType,
    sql: (args) => `(- ${args[0]!.sql})`,
  },
  comparison('equal', '=', 'True where `a == b`.', false),
  comparison('notEqual', '<>', 'True where `a != b`.', false),
  comparison('lessThan', '<', 'True where `a < b`.', true),
  comparison('lessThanEqual', '<=', 'True where `a <= b`.', true),
  comparison('greaterThan', '>', 'True where `a > b`.', true),
  comparison('greaterThanEqual', '>=', 'True where `a >= b`.', true),
  {
    kind: 'scalar',
    name: 'logicalAnd',
    doc: 'True where both are true (`a and b`).',
    signatures: sigs([['BOOLEAN', 'BOOLEAN', 'BOOLEAN']]),
    sql: infix('AND'),
  },
  {
    kind: 'scalar',
    name: 'logicalOr',
    doc: 'True where either is true (`a or b`).',
    signatures: sigs([['BOOLEAN', 'BOOLEAN', 'BOOLEAN']]),
    sql: infix('OR'),
  },
  {
    kind: 'scalar',
    name: 'logicalNot',
    doc: 'True where `a` is false (`not a`).',
    signatures: sigs([['BOOLEAN', 'BOOLEAN']]),
    sql: (args) => `(NOT ${args[0]!.sql})`,
  },
];
