import { DataType, SemanticType } from '../../../../shared/contract/types';
import { BOUNDS, boundError } from '../bounds';
import { Loc, PxlError } from '../errors';
import { FUNCTIONS } from '../functions/registry';
import { ArgInfo } from '../functions/types';
import { BinaryOperator, CompareOperator } from '../parse/ast';
import { FloatValue, IntValue, StrValue, Value, describe } from './values';

/**
 * Python arithmetic and comparisons on values known while planning (`ns_per_s = 1000 * 1000`,
 * `'-' + window`). Semantic types follow the same rules as the per-row operators.
 */

/** Values past this many bits are refused, so a script cannot exhaust memory with `10**10**9`. */
const MAX_INT_BITS = BigInt(BOUNDS.integerBits);
/** The longest string or list a script may build. */
const MAX_SEQUENCE = BOUNDS.valueLength;

/** The registry operator an arithmetic symbol stands for. */
export const BINARY_FUNCTIONS: Readonly<Record<BinaryOperator, string>> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '//': 'floorDivide',
  '%': 'modulo',
  '**': 'pow',
  '&': 'logicalAnd',
  '|': 'logicalOr',
  '^': 'notEqual',
};

export const COMPARE_FUNCTIONS: Readonly<Record<'==' | '!=' | '<' | '<=' | '>' | '>=', string>> = {
  '==': 'equal',
  '!=': 'notEqual',
  '<': 'lessThan',
  '<=': 'lessThanEqual',
  '>': 'greaterThan',
  '>=': 'greaterThanEqual',
};

type Num = IntValue | FloatValue;

function int(
  value: bigint,
  loc: Loc,
  type: IntValue['type'] = 'INT64',
  st: SemanticType = 'ST_NONE',
): IntValue {
  const limit = 1n << MAX_INT_BITS;
  if (value >= limit || value <= -limit) {
    throw tooManyBits(loc);
  }
  return { kind: 'int', value, type, st };
}

function float(value: number, st: SemanticType = 'ST_NONE'): FloatValue {
  return { kind: 'float', value, st };
}

function asNumber(v: Value): Num | undefined {
  if (v.kind === 'int' || v.kind === 'float') return v;
  if (v.kind === 'bool')
    return { kind: 'int', value: v.value ? 1n : 0n, type: 'INT64', st: 'ST_NONE' };
  return undefined;
}

function info(v: Num): ArgInfo {
  return { type: v.kind === 'float' ? 'FLOAT64' : v.type, semanticType: v.st };
}

/** The semantic type and result type of a registry operator on two known numbers. */
function resultOf(op: string, a: Num, b: Num): { type: DataType; st: SemanticType } {
  const fn = FUNCTIONS.get(op);
  const types = [info(a).type, info(b).type];
  const sig =
    fn?.kind === 'scalar'
      ? fn.signatures.find((s) => s.args.every((t, i) => t === types[i]))
      : undefined;
  const returns: DataType =
    sig?.returns ?? (a.kind === 'float' || b.kind === 'float' ? 'FLOAT64' : 'INT64');
  const st =
    fn?.kind === 'scalar' && fn.semantic ? fn.semantic([info(a), info(b)], returns) : 'ST_NONE';
  return { type: returns, st };
}

function toFloat(v: Num): number {
  return v.kind === 'float' ? v.value : Number(v.value);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function pyMod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

/** `a op b` for values known while planning, or undefined when Python has no such operation. */
export function scalarBinary(op: BinaryOperator, a: Value, b: Value, loc: Loc): Value | undefined {
  if (op === '+' && a.kind === 'str' && b.kind === 'str') return str(a.value + b.value, loc, a.st);
  if (op === '+' && (a.kind === 'list' || a.kind === 'tuple') && a.kind === b.kind) {
    return seq(a.kind, [...a.items, ...(b as typeof a).items], loc);
  }
  if (op === '*') {
    const [s, n] = a.kind === 'int' ? [b, a] : [a, b];
    if (n.kind === 'int' && (s.kind === 'str' || s.kind === 'list' || s.kind === 'tuple')) {
      const times = n.value < 0n ? 0 : Number(n.value);
      const length = (s.kind === 'str' ? s.value.length : s.items.length) * times;
      if (length > MAX_SEQUENCE) throw tooLong(s.kind === 'str' ? 'string' : s.kind, loc);
      if (s.kind === 'str') return str(s.value.repeat(times), loc, s.st);
      return seq(s.kind, Array.from({ length: times }, () => s.items).flat(), loc);
    }
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (!x || !y) return undefined;
  if (op === '&' || op === '|' || op === '^') {
    if (x.kind !== 'int' || y.kind !== 'int') return undefined;
    const v = op === '&' ? x.value & y.value : op === '|' ? x.value | y.value : x.value ^ y.value;
    return a.kind === 'bool' && b.kind === 'bool' ? { kind: 'bool', value: v !== 0n } : int(v, loc);
  }
  const { type, st } = resultOf(BINARY_FUNCTIONS[op], x, y);
  const bothInt = x.kind === 'int' && y.kind === 'int';
  switch (op) {
    case '+':
    case '-':
    case '*': {
      if (bothInt) {
        const v =
          op === '+' ? x.value + y.value : op === '-' ? x.value - y.value : x.value * y.value;
        return int(v, loc, type === 'TIME64NS' ? 'TIME64NS' : 'INT64', st);
      }
      const [p, q] = [toFloat(x), toFloat(y)];
      return float(op === '+' ? p + q : op === '-' ? p - q : p * q, st);
    }
    case '/': {
      if (toFloat(y) === 0) throw new PxlError('division by zero', loc);
      return float(toFloat(x) / toFloat(y), st);
    }
    case '//':
    case '%': {
      if (toFloat(y) === 0)
        throw new PxlError(op === '%' ? 'modulo by zero' : 'division by zero', loc);
      if (bothInt) {
        return int(
          op === '//' ? floorDiv(x.value, y.value) : pyMod(x.value, y.value),
          loc,
          'INT64',
          op === '%' ? x.st : 'ST_NONE',
        );
      }
      const [p, q] = [toFloat(x), toFloat(y)];
      return float(op === '//' ? Math.floor(p / q) : p - q * Math.floor(p / q));
    }
    case '**': {
      if (bothInt && y.value >= 0n) {
        const bits = BigInt(x.value === 0n ? 0 : x.value.toString(2).length) * y.value;
        if (bits > MAX_INT_BITS) throw tooManyBits(loc);
        return int(x.value ** y.value, loc);
      }
      return float(toFloat(x) ** toFloat(y));
    }
  }
  return undefined;
}

function str(value: string, loc: Loc, st: SemanticType): StrValue {
  if (value.length > MAX_SEQUENCE) throw tooLong('string', loc);
  return { kind: 'str', value, st };
}

function seq(kind: 'list' | 'tuple', items: Value[], loc: Loc): Value {
  if (items.length > MAX_SEQUENCE) throw tooLong(kind, loc);
  return { kind, items };
}

function tooLong(what: 'string' | 'list' | 'tuple', loc: Loc): PxlError {
  const unit = what === 'string' ? 'characters' : 'items';
  return boundError(
    'valueLength',
    `the ${what} would have more than ${MAX_SEQUENCE} ${unit}`,
    'build smaller values',
    loc,
  );
}

function tooManyBits(loc: Loc): PxlError {
  return boundError(
    'integerBits',
    `integer result is too large: more than ${MAX_INT_BITS} bits`,
    'PxL integers are 64-bit',
    loc,
  );
}

/** `-a`, `+a`, `~a` for known numbers. */
export function scalarUnary(op: '-' | '+' | '~', v: Value, loc: Loc): Value | undefined {
  const n = asNumber(v);
  if (!n) return undefined;
  if (op === '+') return n;
  if (op === '~') return n.kind === 'int' ? int(~n.value, loc) : undefined;
  return n.kind === 'int' ? int(-n.value, loc, 'INT64', n.st) : float(-n.value, n.st);
}

/** Python equality of known values. */
export function scalarEquals(a: Value, b: Value): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x && y) {
    return x.kind === 'int' && y.kind === 'int' ? x.value === y.value : toFloat(x) === toFloat(y);
  }
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  if ((a.kind === 'list' || a.kind === 'tuple') && a.kind === b.kind) {
    const items = (b as typeof a).items;
    return a.items.length === items.length && a.items.every((v, i) => scalarEquals(v, items[i]!));
  }
  return false;
}

/** `a op b` comparisons of known values, or undefined when Python cannot order them. */
export function scalarCompare(
  op: CompareOperator,
  a: Value,
  b: Value,
  loc: Loc,
): boolean | undefined {
  switch (op) {
    case '==':
      return scalarEquals(a, b);
    case '!=':
      return !scalarEquals(a, b);
    case 'in':
    case 'not in': {
      let found: boolean;
      if (b.kind === 'str' && a.kind === 'str') found = b.value.includes(a.value);
      else if (b.kind === 'list' || b.kind === 'tuple')
        found = b.items.some((v) => scalarEquals(a, v));
      else if (b.kind === 'dict') found = b.entries.some(([k]) => scalarEquals(a, k));
      else
        throw new PxlError(
          `"in" needs a list, tuple, dict or string on its right, not ${describe(b)}`,
          loc,
        );
      return op === 'in' ? found : !found;
    }
  }
  let order: number;
  const x = asNumber(a);
  const y = asNumber(b);
  if (x && y) {
    order =
      x.kind === 'int' && y.kind === 'int'
        ? Number(x.value > y.value) - Number(x.value < y.value)
        : Math.sign(toFloat(x) - toFloat(y));
  } else if (a.kind === 'str' && b.kind === 'str') {
    order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  } else {
    return undefined;
  }
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}
