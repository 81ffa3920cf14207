/**
 * The remote-write 1.0 WriteRequest schema, as the specification states it
 * (https://prometheus.io/docs/specs/remote_write_spec/), compiled by protobufjs. Tests decode
 * what pxgate sends with it.
 */
import { parse } from 'protobufjs';

const SPEC_SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  reserved 3;
}
message TimeSeries {
  repeated Label labels   = 1;
  repeated Sample samples = 2;
}
message Label {
  string name  = 1;
  string value = 2;
}
message Sample {
  double value    = 1;
  int64 timestamp = 2;
}
`;

const WriteRequest = parse(SPEC_SCHEMA).root.lookupType('prometheus.WriteRequest');

export interface DecodedSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
}

/** Decodes an uncompressed WriteRequest; timestamps as numbers (milliseconds fit in 2^53). */
export function decodeWriteRequest(bytes: Uint8Array): { timeseries: DecodedSeries[] } {
  return WriteRequest.toObject(WriteRequest.decode(bytes), {
    longs: Number,
    defaults: true,
    arrays: true,
  }) as { timeseries: DecodedSeries[] };
}
