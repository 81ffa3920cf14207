import pino from 'pino';
import { Logger, silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { ConfigInput } from '../../cli/config/schema';
import { Gateway } from '../../gateway/src/gateway';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a real gateway in this process on a free loopback port. Kubernetes stays off unless the
 * test turns it on, so a test machine that happens to be a pod is not watched.
 */
export async function startTestGateway(
  config: ConfigInput = {},
  log: Logger = silentLogger(),
): Promise<TestGateway> {
  const gateway = await Gateway.create(
    validateConfig({
      listen: '127.0.0.1:0',
      logLevel: 'silent',
      ...config,
      metadata: { kubernetes: 'off', ...config.metadata },
    }),
    log,
  );
  const { url } = await gateway.start();
  return { gateway, url, close: () => gateway.shutdown() };
}

/** POSTs JSON and returns status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** POSTs an Arrow IPC stream to `POST /v1/ingest` for a table; returns status and parsed body. */
export async function postArrow(url: string, table: string, body: Uint8Array) {
  const res = await fetch(`${url}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', 'x-pxgate-table': table },
    // A copy over a plain ArrayBuffer: the DOM typings the plugin's checks use take no other.
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
}

/** Ingests rows through `POST /v1/ingest`; throws with the gateway's answer unless it took them. */
export async function ingest(
  url: string,
  table: string,
  rows: Record<string, unknown>[],
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await postJson(`${url}/v1/ingest`, { table, rows }, headers);
  if (res.status !== 200) {
    throw new Error(`ingest ${table}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** GETs JSON and returns status and parsed body. */
export async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as any };
}

/** A logger that keeps its lines (parsed) for the test to read. */
export function capturingLogger(level = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}
