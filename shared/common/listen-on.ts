import { once } from 'node:events';
import { Server } from 'node:net';

/**
 * Starts a server listening and waits until it does. An address another program holds is
 * refused with a message naming the address and `remedy`, the flag or key that changes it.
 */
export async function listenOn(
  server: Server,
  port: number,
  host: string,
  remedy: string,
): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      const why = code === 'EADDRINUSE' ? 'is in use by another program' : 'is not ours to bind';
      throw new Error(`${shown} ${why}: ${remedy}`);
    }
    throw err;
  }
}
