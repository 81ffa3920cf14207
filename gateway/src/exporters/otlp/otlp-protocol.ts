import { OTLP_PROTOCOLS } from '../../../../cli/config/export-schema';

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The port OTLP/gRPC receivers listen on (OTLP/HTTP's is 4318). */
export const OTLP_GRPC_PORT = '4317';

/** A sink's protocol, and why: configured, guessed from port 4317, or the default. */
export interface ChosenProtocol {
  protocol: OtlpProtocol;
  reason: 'configured' | 'port 4317' | 'default';
}

/**
 * The protocol of an OTLP sink: the configured one; else grpc for an endpoint on port 4317, as
 * OpenTelemetry eBPF Instrumentation guesses (Jaeger, Tempo and the Collector take OTLP/gRPC
 * there); else http/protobuf, the OTLP specification's default.
 */
export function chooseOtlpProtocol(
  configured: OtlpProtocol | undefined,
  endpoint: string,
): ChosenProtocol {
  if (configured) return { protocol: configured, reason: 'configured' };
  if (new URL(endpoint).port === OTLP_GRPC_PORT) return { protocol: 'grpc', reason: 'port 4317' };
  return { protocol: 'http/protobuf', reason: 'default' };
}
