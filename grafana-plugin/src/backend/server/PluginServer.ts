import {
  Server,
  ServerCredentials,
  ServerDuplexStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  status as GrpcStatus,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';

import { HclogLogger } from '../hclog';
import { MAX_GRPC_RECEIVE_BYTES } from '../limits';
import { CallResourceRequest, CheckHealthRequest, QueryDataRequest } from '../protocol/messages';
import { serviceDefinition } from '../protocol/grpcServices';
import { PxgateBackend } from '../PxgateBackend';

const SERVING = 1;
/** What go-plugin's host asks the health service about. */
const PLUGIN_SERVICE = 'plugin';
/** How long in-flight calls may finish after Shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 500;
const MAX_BIND_ATTEMPTS = 50;

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** A unary handler from an async function; a throw is an INTERNAL error with its message. */
function unary<Req, Res>(
  log: HclogLogger,
  name: string,
  run: (request: Req, signal: AbortSignal) => Promise<Res>,
): Unary<Req, Res> {
  return (call, callback) => {
    const abort = new AbortController();
    // grpc-js reports every call as cancelled once its status is sent: only one that ends
    // before its answer aborts the work (an abort costs an exception on each signal listening).
    let answered = false;
    call.on('cancelled', () => {
      if (!answered) abort.abort();
    });
    run(call.request, abort.signal).then(
      (response) => {
        answered = true;
        callback(null, response);
      },
      (err: unknown) => {
        answered = true;
        log.error(`${name} failed`, { error: err });
        callback({ code: GrpcStatus.INTERNAL, details: String((err as Error)?.message ?? err) });
      },
    );
  };
}

/**
 * The backend's gRPC server, as go-plugin's host expects it: the pluginv2 services, gRPC health
 * (SERVING for "plugin"), and go-plugin's controller, stdio and broker services. Shutdown (from
 * the controller or `shutdown()`) stops taking calls, lets running ones finish for a moment and
 * resolves `closed`.
 */
export class PluginServer {
  private readonly server = new Server({
    'grpc.max_receive_message_length': MAX_GRPC_RECEIVE_BYTES,
    'grpc.max_send_message_length': -1,
  });
  private readonly streams = new Set<ServerWritableStream<unknown, unknown>>();
  private started = false;
  private stopping: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** Resolves once the server has shut down. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    private readonly backend: PxgateBackend,
    private readonly log: HclogLogger,
  ) {
    this.addServices();
  }

  private addServices(): void {
    const { backend, log } = this;
    const add = (name: string, impl: UntypedServiceImplementation) =>
      this.server.addService(serviceDefinition(name), impl);

    add('pluginv2.Data', {
      QueryData: unary(log, 'QueryData', (req: QueryDataRequest, signal) =>
        backend.queryData(req, signal),
      ),
    });
    add('pluginv2.Diagnostics', {
      CheckHealth: unary(log, 'CheckHealth', (req: CheckHealthRequest) => backend.checkHealth(req)),
      CollectMetrics: unary(log, 'CollectMetrics', () => backend.collectMetrics()),
    });
    add('pluginv2.Resource', {
      CallResource: (call: ServerWritableStream<CallResourceRequest, unknown>) => {
        backend.callResource(call.request).then(
          (response) => {
            call.write(response);
            call.end();
          },
          (err: unknown) => {
            log.error('CallResource failed', { error: err });
            call.destroy(
              Object.assign(new Error(String((err as Error)?.message ?? err)), {
                code: GrpcStatus.INTERNAL,
              }),
            );
          },
        );
      },
    });
    add('grpc.health.v1.Health', {
      Check: (
        call: ServerUnaryCall<{ service: string }, unknown>,
        callback: sendUnaryData<unknown>,
      ) => {
        const service = call.request.service;
        if (service === '' || service === PLUGIN_SERVICE) callback(null, { status: SERVING });
        else callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${service}"` });
      },
    });
    add('plugin.GRPCController', {
      Shutdown: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        log.debug('shutdown requested by the host');
        callback(null, {});
        setImmediate(() => void this.shutdown());
      },
    });
    // The host reads our stdout and stderr through its own pipes; these streams only stay open.
    add('plugin.GRPCStdio', {
      StreamStdio: (call: ServerWritableStream<unknown, unknown>) => this.holdOpen(call),
    });
    add('plugin.GRPCBroker', {
      StartStream: (call: ServerDuplexStream<unknown, unknown>) => {
        call.on('data', () => undefined);
        call.on('end', () => call.end());
        this.holdOpen(call as unknown as ServerWritableStream<unknown, unknown>);
      },
    });
  }

  private holdOpen(call: ServerWritableStream<unknown, unknown>): void {
    this.streams.add(call);
    const forget = () => this.streams.delete(call);
    call.on('cancelled', forget);
    call.on('close', forget);
  }

  /** Listens on loopback, on a port of `range` when given; returns `127.0.0.1:PORT`. */
  async start(range?: { min: number; max: number }): Promise<string> {
    if (this.started) throw new Error('the plugin server is already started');
    this.started = true;
    const attempts = range ? Math.min(MAX_BIND_ATTEMPTS, range.max - range.min + 1) : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = range ? range.min + Math.floor(Math.random() * (range.max - range.min + 1)) : 0;
      try {
        const bound = await new Promise<number>((resolve, reject) =>
          this.server.bindAsync(
            `127.0.0.1:${port}`,
            ServerCredentials.createInsecure(),
            (err, p) => (err ? reject(err) : resolve(p)),
          ),
        );
        return `127.0.0.1:${bound}`;
      } catch (err) {
        lastError = err;
      }
    }
    throw new Error(
      `could not listen on a loopback port: ${String((lastError as Error)?.message)}`,
    );
  }

  /** Stops the server: running calls get SHUTDOWN_GRACE_MS, then everything is cut. Idempotent. */
  shutdown(): Promise<void> {
    if (!this.stopping) {
      this.stopping = new Promise<void>((resolve) => {
        for (const stream of this.streams) stream.end();
        this.streams.clear();
        const force = setTimeout(() => {
          this.server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        this.server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }).then(() => this.resolveClosed());
    }
    return this.stopping;
  }
}
