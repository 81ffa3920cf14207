import http from 'http';
import { AddressInfo } from 'net';

/** A loopback port nothing listens on (it was free a moment ago): an unreachable gateway. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
