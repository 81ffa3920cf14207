import { AttributeValue, Attributes } from '../../exporters/model/telemetry';
import { Cell } from '../../pxl/execute/result';
import { RowValue, cellOf } from './spec-reader';

/**
 * The resource of a row. Empty strings are left out (a pod name where there is no pod says
 * nothing); Pixie writes several services as a JSON list: the first one names the resource.
 */
export function resourceAttributes(
  defs: readonly [string, RowValue][],
  row: readonly Cell[],
): Attributes {
  const attrs = readAttributes(defs, row) as Record<string, AttributeValue>;
  for (const key of Object.keys(attrs)) if (attrs[key] === '') delete attrs[key];
  const service = attrs['service.name'];
  if (typeof service === 'string' && service.startsWith('[')) {
    try {
      const list = JSON.parse(service) as unknown;
      if (Array.isArray(list)) attrs['service.name'] = typeof list[0] === 'string' ? list[0] : '';
    } catch {
      // Not a list after all: the name stays as it is.
    }
  }
  if (attrs['service.name'] === undefined || attrs['service.name'] === '') {
    attrs['service.name'] = 'unknown_service';
  }
  return attrs;
}

/** The attributes of a row: each key's cell, left out when NULL; safe integers as numbers. */
export function readAttributes(
  defs: readonly [string, RowValue][],
  row: readonly Cell[],
): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const [key, v] of defs) {
    const cell = cellOf(v, row);
    if (cell === null || cell === undefined) continue;
    out[key] =
      typeof cell === 'bigint' && cell >= -MAX_SAFE && cell <= MAX_SAFE ? Number(cell) : cell;
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A stable key of attributes (in key order as given; specs fix the order). */
export function attributesKey(attrs: Attributes): string {
  let key = '';
  for (const k in attrs) key += `${k}\u0003${String(attrs[k])}\u0004`;
  return key;
}
