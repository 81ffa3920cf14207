/**
 * google.rpc.Status and google.rpc.RetryInfo as googleapis states them (google/rpc/status.proto,
 * google/rpc/error_details.proto, with google.protobuf.Any and Duration), compiled by protobufjs.
 * Test receivers encode the `grpc-status-details-bin` trailer with it, as gRPC servers do.
 */
import { parse } from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package google.rpc;
message Any {
  string type_url = 1;
  bytes value = 2;
}
message Duration {
  int64 seconds = 1;
  int32 nanos = 2;
}
message Status {
  int32 code = 1;
  string message = 2;
  repeated Any details = 3;
}
message RetryInfo {
  Duration retry_delay = 1;
}
message DebugInfo {
  repeated string stack_entries = 1;
  string detail = 2;
}
`;

const root = parse(SCHEMA, { keepCase: true }).root;
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');
const DebugInfo = root.lookupType('google.rpc.DebugInfo');

/** The Any of a RetryInfo asking to wait `delayMs`, as seconds and nanos. */
export function retryInfoDetail(delayMs: number): { type_url: string; value: Uint8Array } {
  const seconds = Math.floor(delayMs / 1000);
  const nanos = (delayMs - seconds * 1000) * 1_000_000;
  return {
    type_url: 'type.googleapis.com/google.rpc.RetryInfo',
    value: RetryInfo.encode(RetryInfo.fromObject({ retry_delay: { seconds, nanos } })).finish(),
  };
}

/** The Any of a DebugInfo: a detail a client must skip when it looks for RetryInfo. */
export function debugInfoDetail(detail: string): { type_url: string; value: Uint8Array } {
  return {
    type_url: 'type.googleapis.com/google.rpc.DebugInfo',
    value: DebugInfo.encode(DebugInfo.fromObject({ stack_entries: ['a', 'b'], detail })).finish(),
  };
}

/** A google.rpc.Status with these details, encoded. */
export function encodeRpcStatus(
  code: number,
  message: string,
  details: { type_url: string; value: Uint8Array }[],
): Buffer {
  return Buffer.from(Status.encode(Status.fromObject({ code, message, details })).finish());
}
