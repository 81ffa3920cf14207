import { PxlError } from '../errors';
import { Param } from '../parse/ast';
import { Value } from './values';

/**
 * Converts an argument given from outside (the API's `args`, `pxgate run --arg`) to the type
 * its parameter is annotated with. Kubernetes types (`px.Service`, ...) are strings.
 */
export function convertArg(param: Param, raw: unknown): Value {
  const fail = (what: string) =>
    new PxlError(`argument "${param.name}" must be ${what}, not ${JSON.stringify(raw)}`, param.loc);
  switch (param.annotation) {
    case 'int': {
      if (typeof raw === 'number' && Number.isInteger(raw)) return int(BigInt(raw));
      if (typeof raw === 'string' && /^\s*-?\d{1,19}\s*$/.test(raw)) return int(BigInt(raw.trim()));
      throw fail('an integer');
    }
    case 'float': {
      const v =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : NaN;
      if (Number.isNaN(v)) throw fail('a number');
      return { kind: 'float', value: v, st: 'ST_NONE' };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { kind: 'bool', value: raw };
      if (raw === 'true' || raw === 'True' || raw === '1') return { kind: 'bool', value: true };
      if (raw === 'false' || raw === 'False' || raw === '0') return { kind: 'bool', value: false };
      throw fail('true or false');
    }
    default:
      if (typeof raw === 'string') return { kind: 'str', value: raw, st: 'ST_NONE' };
      if (param.annotation === undefined && typeof raw === 'number') {
        return Number.isInteger(raw)
          ? int(BigInt(raw))
          : { kind: 'float', value: raw, st: 'ST_NONE' };
      }
      if (param.annotation === undefined && typeof raw === 'boolean')
        return { kind: 'bool', value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') {
        return { kind: 'str', value: String(raw), st: 'ST_NONE' };
      }
      throw fail('a string');
  }
}

function int(value: bigint): Value {
  return { kind: 'int', value, type: 'INT64', st: 'ST_NONE' };
}
