/**
 * Grafana's side of go-plugin, for tests: start the backend executable as Grafana's plugin
 * loader does (its environment, a PATH without Node), read the handshake line, and call the
 * plugin's gRPC services with the test schema (schema.ts).
 */
import { ChildProcess, spawn } from 'child_process';
import os from 'os';
import path from 'path';
import { Client, credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';

import { testType } from './schema';

const HANDSHAKE_TIMEOUT_MS = 20_000;

/** Grafana's environment for a backend plugin (go-plugin's variables and Grafana's own). */
export function grafanaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    // Nothing on PATH (a folder that does not exist): the executable must not need Node, or
    // anything else, from the host.
    PATH: path.join(os.tmpdir(), 'pxgate-no-such-folder', 'bin'),
    grafana_plugin_type: 'datasource',
    PLUGIN_PROTOCOL_VERSIONS: '2',
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    GF_VERSION: '12.2.0',
    GF_EDITION: 'Open Source',
    GF_PLUGIN_APP_CLIENT_SECRET: '',
    ...extra,
  };
}

const TO_OBJECT = { longs: Number, bytes: Buffer, defaults: true, arrays: true, objects: true };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running backend plugin, as Grafana holds it. */
export class PluginProcess {
  readonly exited: Promise<Exit>;
  private readonly client: Client;

  private constructor(
    readonly child: ChildProcess,
    readonly handshake: string,
    readonly address: string,
    /** The plugin's stderr lines so far (hclog JSON). */
    readonly stderr: string[],
  ) {
    this.client = new Client(address, credentials.createInsecure());
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts the executable and waits for its handshake line. */
  static async start(executable: string, env = grafanaEnv()): Promise<PluginProcess> {
    const child = spawn(executable, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    let pending = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      stderr.push(...lines);
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`no handshake within ${HANDSHAKE_TIMEOUT_MS} ms`)),
        HANDSHAKE_TIMEOUT_MS,
      );
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const end = out.indexOf('\n');
        if (end >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, end));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before the handshake: ${stderr.join('\n')}`));
      });
      // A file that cannot be run (missing, not executable) fails here, not as an uncaught error.
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const parts = line.split('|');
    if (parts.length < 5 || parts[2] !== 'tcp') throw new Error(`unexpected handshake ${line}`);
    return new PluginProcess(child, line, parts[3]!, stderr);
  }

  /** Serialisers for a method's request and response types, in the test schema. */
  private static codec(requestType: string, responseType: string) {
    const req = testType(requestType);
    const res = testType(responseType);
    return [
      (value: object) => Buffer.from(req.encode(req.fromObject(value)).finish()),
      (bytes: Buffer) => res.toObject(res.decode(bytes), TO_OBJECT),
    ] as const;
  }

  /** Calls a unary method, e.g. `('/pluginv2.Data/QueryData', 'pluginv2.QueryDataRequest', ...)`. */
  unary<T = any>(
    path: string,
    requestType: string,
    responseType: string,
    request: object,
  ): Promise<T> {
    const [serialize, deserialize] = PluginProcess.codec(requestType, responseType);
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(
        path,
        serialize,
        deserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + 30_000 },
        (err, value) => (err ? reject(err) : resolve(value as T)),
      ),
    );
  }

  /** Calls a server-streaming method and gathers every message. */
  stream<T = any>(
    path: string,
    requestType: string,
    responseType: string,
    request: object,
  ): Promise<T[]> {
    const [serialize, deserialize] = PluginProcess.codec(requestType, responseType);
    const call = this.client.makeServerStreamRequest(
      path,
      serialize,
      deserialize,
      request,
      new Metadata(),
      { deadline: Date.now() + 30_000 },
    );
    const messages: T[] = [];
    return new Promise((resolve, reject) => {
      call.on('data', (m: T) => messages.push(m));
      call.on('error', reject);
      call.on('end', () => resolve(messages));
    });
  }

  queryData(request: object) {
    return this.unary(
      '/pluginv2.Data/QueryData',
      'pluginv2.QueryDataRequest',
      'pluginv2.QueryDataResponse',
      request,
    );
  }

  checkHealth(request: object) {
    return this.unary(
      '/pluginv2.Diagnostics/CheckHealth',
      'pluginv2.CheckHealthRequest',
      'pluginv2.CheckHealthResponse',
      request,
    );
  }

  collectMetrics(request: object = {}) {
    return this.unary(
      '/pluginv2.Diagnostics/CollectMetrics',
      'pluginv2.CollectMetricsRequest',
      'pluginv2.CollectMetricsResponse',
      request,
    );
  }

  callResource(request: object) {
    return this.stream(
      '/pluginv2.Resource/CallResource',
      'pluginv2.CallResourceRequest',
      'pluginv2.CallResourceResponse',
      request,
    );
  }

  /** go-plugin's ping: gRPC health for service "plugin". */
  health(service = 'plugin') {
    return this.unary(
      '/grpc.health.v1.Health/Check',
      'grpc.health.v1.HealthCheckRequest',
      'grpc.health.v1.HealthCheckResponse',
      { service },
    );
  }

  /** go-plugin's Kill: the controller's Shutdown. */
  shutdown() {
    return this.unary('/plugin.GRPCController/Shutdown', 'plugin.Empty', 'plugin.Empty', {});
  }

  /** Closes the client and makes sure the process is gone. */
  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export { GrpcStatus };
