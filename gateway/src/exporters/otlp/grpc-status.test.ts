import { Metadata, status } from '@grpc/grpc-js';
import { encodeRpcStatus, retryInfoDetail } from '../../../../test/support/rpc-status-schema';
import { classifyGrpcFailure } from './grpc-status';

function withRetryInfo(delayMs: number): Metadata {
  const m = new Metadata();
  m.set('grpc-status-details-bin', encodeRpcStatus(14, '', [retryInfoDetail(delayMs)]));
  return m;
}

describe('classing OTLP/gRPC failures as the OTLP specification says', () => {
  it('retries the codes the specification calls retryable', () => {
    for (const code of [
      status.CANCELLED,
      status.DEADLINE_EXCEEDED,
      status.ABORTED,
      status.OUT_OF_RANGE,
      status.UNAVAILABLE,
      status.DATA_LOSS,
    ]) {
      expect(classifyGrpcFailure({ code, details: 'x' }).errorClass).toBe('retryable');
    }
  });

  it('waits as the server RetryInfo says', () => {
    const error = classifyGrpcFailure({
      code: status.UNAVAILABLE,
      details: 'restarting',
      metadata: withRetryInfo(3000),
    });
    expect(error).toMatchObject({
      errorClass: 'throttled',
      retryAfterMs: 3000,
      message: 'gRPC UNAVAILABLE: restarting',
    });
  });

  it('retries RESOURCE_EXHAUSTED only when the server says when to come back', () => {
    expect(classifyGrpcFailure({ code: status.RESOURCE_EXHAUSTED, details: '' })).toMatchObject({
      errorClass: 'permanent',
      message: 'gRPC RESOURCE_EXHAUSTED',
    });
    expect(
      classifyGrpcFailure({
        code: status.RESOURCE_EXHAUSTED,
        details: 'over quota',
        metadata: withRetryInfo(500),
      }),
    ).toMatchObject({ errorClass: 'throttled', retryAfterMs: 500 });
  });

  it('drops what the receiver can never take', () => {
    for (const code of [
      status.INVALID_ARGUMENT,
      status.UNAUTHENTICATED,
      status.PERMISSION_DENIED,
      status.UNIMPLEMENTED,
      status.INTERNAL,
      status.NOT_FOUND,
    ]) {
      expect(
        classifyGrpcFailure({ code, details: '', metadata: withRetryInfo(10) }).errorClass,
      ).toBe('permanent');
    }
    expect(classifyGrpcFailure({ code: 99, details: '' }).message).toBe('gRPC code 99');
  });
});
