import http2 from 'node:http2';
import {
  BIG_HEADER,
  H2Request,
  curlH2,
  grpcClient,
  nodeH2Client,
  startGrpcServer,
  startNodeH2Server,
} from './http2-peers';
import { RecordedChunk, startTcpRecorder } from './tcp-recorder';

/** A conversation between real peers, recorded through the proxy. */
export interface Conversation {
  /** Its testdata file's name (without `.jsonl`). */
  readonly name: string;
  /** Runs the peers, the client talking to `port` (the proxy's). */
  run(port: number): Promise<void>;
  /** Starts the server; its port is the proxy's target. */
  server(): Promise<{ port: number; close(): Promise<void> }>;
}

/** gRPC unary calls the gRPC conversation makes (every third fails). */
export const GRPC_UNARY_CALLS = 6;
/** Requests of the eviction conversation. */
export const EVICTION_REQUESTS = 14;

const NODE_REQUESTS: H2Request[] = [
  { path: '/api/items?page=2' },
  { method: 'POST', path: '/api/orders', body: '{"item":"a1","qty":2}' },
  { path: '/api/slow' },
  { path: '/api/fast', concurrent: true },
  { path: '/status/404' },
  { path: '/api/trailers' },
  { method: 'DELETE', path: '/api/orders/7' },
];

const nodeServer =
  (options: http2.ServerOptions = {}) =>
  () =>
    startNodeH2Server(options);
const padded = { paddingStrategy: http2.constants.PADDING_STRATEGY_MAX };

/** The conversations the HTTP/2 testdata holds, and the live test replays. */
export const CONVERSATIONS: readonly Conversation[] = [
  {
    name: 'node-h2c',
    server: nodeServer(),
    run: async (port) => void (await nodeH2Client(port, NODE_REQUESTS)),
  },
  {
    name: 'node-h2c-padded',
    server: nodeServer(padded),
    run: async (port) =>
      void (await nodeH2Client(
        port,
        [{ method: 'POST', path: '/api/orders', body: '{"item":"p","qty":9}' }, { path: '/a' }],
        padded,
      )),
  },
  {
    name: 'node-h2c-continuation',
    server: nodeServer(),
    run: async (port) =>
      void (await nodeH2Client(port, [
        { path: '/api/big', headers: { 'x-big': 'a'.repeat(BIG_HEADER) } },
        { path: '/api/after' },
      ])),
  },
  {
    name: 'node-h2c-eviction',
    server: nodeServer(),
    run: async (port) =>
      void (await nodeH2Client(
        port,
        Array.from({ length: EVICTION_REQUESTS }, (_, i) => ({
          path: `/api/items/${i}`,
          headers: { 'x-request-id': `${i}-`.padEnd(400, 'r'), 'x-tenant': 'acme' },
        })),
      )),
  },
  {
    name: 'curl-h2c-get',
    server: nodeServer(),
    run: async (port) => void (await curlH2([`http://127.0.0.1:${port}/api/items?page=2`])),
  },
  {
    // curl 7.88 cannot reuse a prior-knowledge connection: one request per conversation.
    name: 'curl-h2c-post',
    server: nodeServer(),
    run: async (port) =>
      void (await curlH2([
        '-H',
        'content-type: application/json',
        '-d',
        '{"item":"c1","qty":1}',
        `http://127.0.0.1:${port}/api/orders`,
      ])),
  },
  {
    name: 'grpc-python',
    server: startGrpcServer,
    run: async (port) => void (await grpcClient(port, GRPC_UNARY_CALLS)),
  },
];

/** Runs a conversation through a recording proxy and returns its one connection's reads. */
export async function record(conversation: Conversation): Promise<RecordedChunk[]> {
  const server = await conversation.server();
  const proxy = await startTcpRecorder({ host: '127.0.0.1', port: server.port });
  try {
    await conversation.run(proxy.port);
    await proxy.settled();
  } finally {
    await proxy.close();
    await server.close();
  }
  const [only, ...more] = proxy.connections();
  if (!only || more.length > 0) {
    throw new Error(
      `${conversation.name}: ${more.length + (only ? 1 : 0)} connections, wanted one`,
    );
  }
  return only;
}
