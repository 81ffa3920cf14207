import http, { IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';

import {
  AnswerTooLargeError,
  exchange,
  ExchangeAbortedError,
  ExchangeRequest,
} from './httpExchange';

type Handler = (req: IncomingMessage, res: ServerResponse, connection: number) => void;

/** A loopback HTTP server that numbers its connections and hands each request to `handle`. */
async function serve(handle: Handler) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const ids = new WeakMap<Socket, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res, ids.get(req.socket)!));
  });
  server.on('connection', (socket) => {
    ids.set(socket, ++connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function request(url: string, extra: Partial<ExchangeRequest> = {}): ExchangeRequest {
  return {
    method: 'POST',
    url: new URL(`${url}/v1/query`),
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"script":"x"}'),
    maxAnswerBytes: 1024,
    timeoutMs: 5_000,
    ...extra,
  };
}

describe('exchange', () => {
  it('sends the body and reads the whole answer, over one kept-alive connection', async () => {
    const seen: string[] = [];
    const server = await serve((req, res, connection) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-length']} on ${connection}`);
      res.writeHead(200, { 'x-pxgate-version': '0.1.0' }).end('{"tables":[]}');
    });
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await exchange(request(server.url));
        expect(answer).toMatchObject({ status: 200, statusText: 'OK' });
        expect(answer.headers['x-pxgate-version']).toBe('0.1.0');
        expect(answer.body.toString()).toBe('{"tables":[]}');
      }
      expect(seen).toEqual(Array(3).fill('POST /v1/query 14 on 1'));
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('sends a request again on a new connection when the kept-alive one is reset as it is reused', async () => {
    let answered = 0;
    const server = await serve((_req, res, connection) => {
      // The second request on the first connection: the server drops the connection unanswered.
      if (connection === 1 && answered === 1) {
        res.socket!.destroy();
        return;
      }
      answered++;
      res.end(`answer ${answered} on ${connection}`);
    });
    try {
      expect((await exchange(request(server.url))).body.toString()).toBe('answer 1 on 1');
      expect((await exchange(request(server.url))).body.toString()).toBe('answer 2 on 2');
    } finally {
      await server.close();
    }
  });

  it('refuses an answer longer than the bound, declared or streamed', async () => {
    const big = 'x'.repeat(2048);
    const server = await serve((req, res) => {
      if (req.url === '/declared/v1/query') res.end(big);
      else {
        res.write(big.slice(0, 1000));
        setImmediate(() => res.end(big.slice(1000)));
      }
    });
    try {
      await expect(exchange(request(`${server.url}/declared`))).rejects.toThrow(
        AnswerTooLargeError,
      );
      await expect(exchange(request(`${server.url}/chunked`))).rejects.toThrow(AnswerTooLargeError);
    } finally {
      await server.close();
    }
  });

  it('ends on its timeout, or when its caller aborts, saying which', async () => {
    const server = await serve(() => undefined);
    try {
      const late = exchange(request(server.url, { timeoutMs: 100 }));
      await expect(late).rejects.toThrow(ExchangeAbortedError);
      await expect(late).rejects.toMatchObject({ reason: 'timeout' });
      const abort = new AbortController();
      const pending = exchange(request(server.url, { signal: abort.signal }));
      abort.abort();
      await expect(pending).rejects.toMatchObject({ reason: 'cancelled' });
    } finally {
      await server.close();
    }
  });
});
