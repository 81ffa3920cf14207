import { FieldValue, readFieldList } from '../common/proto-reader';

/** The type URL of google.rpc.RetryInfo inside a google.protobuf.Any. */
const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
/** A delay longer than this is taken as this: a receiver's word is not a reason to hang. */
export const MAX_RETRY_INFO_DELAY_MS = 3_600_000;

/**
 * The delay a receiver asks for in the `grpc-status-details-bin` trailer: a google.rpc.Status
 * whose `details` (field 3, google.protobuf.Any) hold a google.rpc.RetryInfo, whose
 * `retry_delay` (field 1) is a google.protobuf.Duration (seconds 1, nanos 2). In milliseconds,
 * at most MAX_RETRY_INFO_DELAY_MS; undefined when the bytes hold no readable RetryInfo.
 */
export function retryInfoDelayMs(statusDetails: Uint8Array): number | undefined {
  const status = fieldsOf(statusDetails);
  if (!status) return undefined;
  for (const [number, detail] of status) {
    if (number !== 3 || !(detail instanceof Uint8Array)) continue;
    const any = fieldsOf(detail);
    const typeUrl = any && lastBytes(any, 1);
    const value = any && lastBytes(any, 2);
    if (!typeUrl || Buffer.from(typeUrl).toString('latin1') !== RETRY_INFO_TYPE) continue;
    const retryInfo = value ? fieldsOf(value) : [];
    const duration = retryInfo && lastBytes(retryInfo, 1);
    return duration ? durationMs(duration) : undefined;
  }
  return undefined;
}

/** A Duration in milliseconds, clamped to [0, MAX_RETRY_INFO_DELAY_MS]; undefined if unreadable. */
function durationMs(bytes: Uint8Array): number | undefined {
  const fields = fieldsOf(bytes);
  if (!fields) return undefined;
  let seconds = 0n;
  let nanos = 0n;
  for (const [number, value] of fields) {
    if (typeof value !== 'bigint') continue;
    if (number === 1) seconds = BigInt.asIntN(64, value);
    if (number === 2) nanos = BigInt.asIntN(32, value);
  }
  const ms = seconds * 1000n + nanos / 1_000_000n;
  if (ms <= 0n) return 0;
  return ms > BigInt(MAX_RETRY_INFO_DELAY_MS) ? MAX_RETRY_INFO_DELAY_MS : Number(ms);
}

/** The fields of a message, or undefined for bytes that are not one. */
function fieldsOf(bytes: Uint8Array): [number, FieldValue][] | undefined {
  try {
    return readFieldList(bytes);
  } catch {
    return undefined;
  }
}

/** The last length-delimited value of field `number`, as proto3 reads a repeated scalar. */
function lastBytes(fields: [number, FieldValue][], number: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const [n, v] of fields) if (n === number && v instanceof Uint8Array) found = v;
  return found;
}
