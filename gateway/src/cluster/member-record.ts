import { z } from 'zod';

/** What a gateway writes to its member key at each heartbeat (JSON). */
export interface MemberRecord {
  readonly id: string;
  /** Its HTTP address, for people and for queries across shards. */
  readonly url?: string | undefined;
  /** Messages not yet applied, per partition it owns. */
  readonly lag: Readonly<Record<string, number>>;
}

/** Bytes a member record may take; a larger value is not read. */
export const MAX_MEMBER_RECORD_BYTES = 256 * 1024;

const Record_ = z.strictObject({
  id: z.string().min(1).max(64),
  url: z.string().max(2048).optional(),
  lag: z.record(z.string().max(253), z.number().int().nonnegative()),
});

/** The member record's JSON bytes. */
export function encodeMemberRecord(record: MemberRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record));
}

/**
 * The member record in a KV value, or undefined for anything else (too large, not JSON, another
 * shape, or an id other than the key's): a value another program wrote must not stop a gateway.
 */
export function parseMemberRecord(value: Uint8Array, keyId: string): MemberRecord | undefined {
  if (value.length > MAX_MEMBER_RECORD_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = Record_.safeParse(json);
  if (!parsed.success || parsed.data.id !== keyId) return undefined;
  return parsed.data;
}
