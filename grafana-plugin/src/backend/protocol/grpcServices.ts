/**
 * gRPC service definitions for @grpc/grpc-js, made from the parsed `.proto` services: each
 * method's path (`/pluginv2.Data/QueryData`), streaming flags and protobuf (de)serialisers. A
 * decoded message is a plain object with the `.proto`'s field names; int64 fields are numbers
 * (the protocol's int64s are milliseconds and ids, far below 2^53), bytes are Buffers, enums
 * numbers, and unset fields take their defaults.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';

import { PROTOCOL } from './schema';

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: true,
};

/** Encodes and decodes one message type as plain objects. */
export interface MessageCodec<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

/** The codec of a message by full name, e.g. `pluginv2.QueryDataRequest`. */
export function messageCodec<T>(fullName: string): MessageCodec<T> {
  const type = PROTOCOL.lookupType(fullName);
  return {
    encode: (value) => {
      const invalid = type.verify(value as Record<string, unknown>);
      if (invalid) throw new Error(`${fullName}: ${invalid}`);
      return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
    },
    decode: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT) as T,
  };
}

/** The grpc-js definition of a service by full name, e.g. `pluginv2.Data`. */
export function serviceDefinition(fullName: string): ServiceDefinition {
  const service = PROTOCOL.lookupService(fullName);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methodsArray) {
    const request = messageCodec<unknown>(method.resolvedRequestType!.fullName.slice(1));
    const response = messageCodec<unknown>(method.resolvedResponseType!.fullName.slice(1));
    definition[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: request.encode,
      requestDeserialize: request.decode,
      responseSerialize: response.encode,
      responseDeserialize: response.decode,
    };
  }
  return definition;
}
