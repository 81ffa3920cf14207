import { once } from 'node:events';
import { RequestListener, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** An HTTP app (an express app, a router under one) served on a free loopback port. */
export async function serveApp(
  app: RequestListener,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** GETs `url` and reads its JSON answer, with its status and Content-Type. */
export async function getJsonAnswer(url: string) {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as any,
  };
}
