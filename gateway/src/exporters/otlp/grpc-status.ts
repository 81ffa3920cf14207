import { Metadata, status as Status } from '@grpc/grpc-js';
import { ExportError, permanentError, retryableError, throttledError } from '../common/errors';
import { retryInfoDelayMs } from './grpc-retry-info';

/** The codes the OTLP specification calls retryable ("OTLP/gRPC Response", "Failures"). */
const RETRYABLE = new Set<number>([
  Status.CANCELLED,
  Status.DEADLINE_EXCEEDED,
  Status.ABORTED,
  Status.OUT_OF_RANGE,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

/** A failed call as grpc-js reports it. */
export interface GrpcFailure {
  code: number;
  details: string;
  metadata?: Metadata | undefined;
}

/**
 * Classes a failed OTLP/gRPC call as the OTLP specification (and the Collector's otlpexporter)
 * does: the retryable codes retry, after the server's RetryInfo delay when it gives one;
 * RESOURCE_EXHAUSTED retries only when the server gives a RetryInfo (recovery is possible);
 * every other code is permanent.
 */
export function classifyGrpcFailure(failure: GrpcFailure): ExportError {
  const name = Status[failure.code] ?? `code ${failure.code}`;
  const message = `gRPC ${name}${failure.details ? `: ${failure.details}` : ''}`;
  const delay = retryDelayOf(failure.metadata);
  if (RETRYABLE.has(failure.code)) {
    return delay === undefined ? retryableError(message) : throttledError(message, delay);
  }
  if (failure.code === Status.RESOURCE_EXHAUSTED && delay !== undefined) {
    return throttledError(message, delay);
  }
  return permanentError(message);
}

/** The RetryInfo delay in the `grpc-status-details-bin` trailer, if the server sent one. */
function retryDelayOf(metadata: Metadata | undefined): number | undefined {
  for (const value of metadata?.get('grpc-status-details-bin') ?? []) {
    if (typeof value === 'string') continue;
    const delay = retryInfoDelayMs(value);
    if (delay !== undefined) return delay;
  }
  return undefined;
}
