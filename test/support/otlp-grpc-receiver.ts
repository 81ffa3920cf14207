import {
  Metadata,
  Server,
  ServerCredentials,
  ServerUnaryCall,
  ServiceDefinition,
  sendUnaryData,
  status,
} from '@grpc/grpc-js';
import {
  ExportMetricsServiceResponse,
  ExportTraceServiceResponse,
  decodeMetricsRequest,
  decodeTraceRequest,
  encodeResponse,
} from './otlp-schema';
import { encodeRpcStatus, retryInfoDetail } from './rpc-status-schema';

export type GrpcSignal = 'traces' | 'metrics';

export interface OtlpGrpcCall {
  signal: GrpcSignal;
  /** The request metadata (headers), as grpc-js hands it to the service. */
  metadata: Record<string, unknown>;
  /** The request decoded with the official schema. */
  body: Record<string, any>;
  /** Size of the message after gRPC's decompression. */
  bytes: number;
  /** Milliseconds left until the call's deadline when it arrived (Infinity without one). */
  deadlineInMs: number;
}

/** How the receiver answers one call: OK by default, or a status, with RetryInfo, or partial. */
export interface GrpcAnswer {
  code?: status;
  details?: string;
  /** A google.rpc.RetryInfo with this delay in the `grpc-status-details-bin` trailer. */
  retryDelayMs?: number;
  /** A partial success with this many rejected spans or data points (an OK answer). */
  rejected?: number;
  message?: string;
  /** Other details to put first in the trailer's google.rpc.Status. */
  extraDetails?: { type_url: string; value: Uint8Array }[];
  /** Never answer (the client's deadline ends the call). */
  silent?: boolean;
}

export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:PORT` (or https with TLS): the endpoint to give the sink. */
  url: string;
  port: number;
  /** Calls answered OK, decoded. */
  accepted: OtlpGrpcCall[];
  /** Every call, answered OK or not. */
  all: OtlpGrpcCall[];
  close(): Promise<void>;
}

export interface ReceiverTls {
  cert: string;
  key: string;
  /** With a CA, clients must present a certificate it signed. */
  clientCa?: string;
}

const asIs = (b: Buffer): Buffer => b;

function exportService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: asIs,
      requestDeserialize: asIs,
      responseSerialize: asIs,
      responseDeserialize: asIs,
    },
  };
}

/**
 * A real OTLP/gRPC receiver (grpc-js) on a free loopback port, serving
 * opentelemetry.proto.collector.{trace,metrics}.v1's Export. It decodes every call with the
 * official protobuf schema and answers as `answer` says.
 */
export async function startOtlpGrpcReceiver(
  answer: (call: OtlpGrpcCall, index: number) => GrpcAnswer = () => ({}),
  tls?: ReceiverTls,
  /** A port to listen on (a receiver coming back where one was); default: a free one. */
  port = 0,
): Promise<OtlpGrpcReceiver> {
  const accepted: OtlpGrpcCall[] = [];
  const all: OtlpGrpcCall[] = [];
  const handler =
    (signal: GrpcSignal) =>
    (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
      const decoded =
        signal === 'traces' ? decodeTraceRequest(call.request) : decodeMetricsRequest(call.request);
      const received: OtlpGrpcCall = {
        signal,
        metadata: call.metadata.getMap(),
        body: decoded,
        bytes: call.request.length,
        deadlineInMs: deadlineIn(call.getDeadline()),
      };
      const a = answer(received, all.length);
      all.push(received);
      if (a.silent) return;
      const code = a.code ?? status.OK;
      if (code !== status.OK) {
        const trailer = new Metadata();
        const details = [
          ...(a.extraDetails ?? []),
          ...(a.retryDelayMs === undefined ? [] : [retryInfoDetail(a.retryDelayMs)]),
        ];
        if (details.length > 0) {
          trailer.set('grpc-status-details-bin', encodeRpcStatus(code, a.details ?? '', details));
        }
        callback({ code, details: a.details ?? 'refused', metadata: trailer });
        return;
      }
      accepted.push(received);
      const type = signal === 'traces' ? ExportTraceServiceResponse : ExportMetricsServiceResponse;
      const partial =
        a.rejected === undefined
          ? {}
          : {
              partialSuccess: {
                [signal === 'traces' ? 'rejectedSpans' : 'rejectedDataPoints']: a.rejected,
                errorMessage: a.message ?? '',
              },
            };
      callback(null, encodeResponse(type, partial));
    };
  const server = new Server();
  server.addService(exportService('/opentelemetry.proto.collector.trace.v1.TraceService/Export'), {
    Export: handler('traces'),
  });
  server.addService(
    exportService('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'),
    { Export: handler('metrics') },
  );
  const credentials = tls
    ? ServerCredentials.createSsl(
        tls.clientCa ? Buffer.from(tls.clientCa) : null,
        [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
        Boolean(tls.clientCa),
      )
    : ServerCredentials.createInsecure();
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`,
    port: bound,
    accepted,
    all,
    close: async () => server.forceShutdown(),
  };
}

function deadlineIn(deadline: Date | number): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at - Date.now();
}

/** Spans of decoded trace calls, flattened. */
export function spansOfCalls(calls: readonly OtlpGrpcCall[]): any[] {
  return calls
    .filter((c) => c.signal === 'traces')
    .flatMap((c) => c.body.resourceSpans ?? [])
    .flatMap((rs: any) => rs.scopeSpans ?? [])
    .flatMap((ss: any) => ss.spans ?? []);
}

/** Histogram data points of decoded metric calls, flattened. */
export function histogramPointsOfCalls(calls: readonly OtlpGrpcCall[], name: string): any[] {
  return calls
    .filter((c) => c.signal === 'metrics')
    .flatMap((c) => c.body.resourceMetrics ?? [])
    .flatMap((rm: any) => rm.scopeMetrics ?? [])
    .flatMap((sm: any) => sm.metrics ?? [])
    .filter((m: any) => m.name === name)
    .flatMap((m: any) => m.histogram.dataPoints);
}
