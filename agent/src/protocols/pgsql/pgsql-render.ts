import { MASKED_VALUE, maskMessageValues } from '../sql/mask';
import { BindMessage, ErrorField, RowDescriptionField, TargetMessage } from './pgsql-decode';
import { ERROR_FIELD_NAMES, VALUE_BEARING_ERROR_FIELDS } from './pgsql-protocol';

/**
 * Pixie's text for each kind of pgsql_events request and response (its ToString()s in
 * protocols/pgsql/types.h), so that scripts written against Pixie's rows read ours.
 */

/** A format code by Pixie's enum name (kText, kBinary; an unknown code has none). */
function formatName(code: number): string {
  return code === 0 ? 'kText' : code === 1 ? 'kBinary' : '';
}

/** `portal=P statement=S parameters=[[format=kText value=V], ...] result_format_codes=[...]`. */
export function bindText(b: BindMessage, mask: boolean): string {
  const params = b.params.map((p) => {
    const value = p.value === null ? '[NULL]' : mask ? MASKED_VALUE : p.value;
    return `[format=${formatName(p.format)} value=${value}]`;
  });
  return (
    `portal=${b.portal} statement=${b.statement} parameters=[${params.join(', ')}] ` +
    `result_format_codes=[${b.resultFormats.map(formatName).join(', ')}]`
  );
}

/** `type=kStatement name=N` or `type=kPortal name=N`. */
export function describeText(d: TargetMessage): string {
  const type = d.type === 0x53 ? 'kStatement' : d.type === 0x50 ? 'kPortal' : '';
  return `type=${type} name=${d.name}`;
}

/** `ROW DESCRIPTION [name=... table_oid=... ...] [...]` (NoData gives `ROW DESCRIPTION []`). */
export function rowDescriptionText(fields: readonly RowDescriptionField[]): string {
  const each = fields.map(
    (f) =>
      `name=${f.name} table_oid=${f.tableOid} attr_num=${f.attrNum} type_oid=${f.typeOid} ` +
      `type_size=${f.typeSize} type_modifier=${f.typeModifier} fmt_code=${formatName(f.format)}`,
  );
  return `ROW DESCRIPTION [${each.join('] [')}]`;
}

/**
 * `ERROR RESPONSE [Severity=ERROR InternalSeverity=ERROR Code=42P01 Message=...]`; an unknown
 * field code reads `Field:x=...`. `mask` masks the values quoted in message-like fields.
 */
export function errorText(fields: readonly ErrorField[], mask: boolean): string {
  const each = fields.map((f) => {
    const name = ERROR_FIELD_NAMES[f.code] ?? `Field:${f.code}`;
    const value =
      mask && VALUE_BEARING_ERROR_FIELDS.has(f.code) ? maskMessageValues(f.value) : f.value;
    return `${name}=${value}`;
  });
  return `ERROR RESPONSE [${each.join(' ')}]`;
}
