import { knownCommandNames } from '../protocols/redis/redis-commands';
import { PX_REDIS_CMD_BYTES } from './layout';
import { Libbpf, Ptr } from './libbpf';

/**
 * Writes the Redis command names the agent knows into the kernel's inference table
 * (px_redis_commands: upper case, NUL-padded), so that kernel and agent take the same words for
 * commands. Returns how many it wrote.
 */
export function writeRedisCommands(lib: Libbpf, map: Ptr): number {
  const value = Uint8Array.of(1);
  let written = 0;
  for (const name of knownCommandNames()) {
    const bytes = Buffer.from(name, 'latin1');
    if (bytes.length >= PX_REDIS_CMD_BYTES) continue;
    const key = new Uint8Array(PX_REDIS_CMD_BYTES);
    key.set(bytes);
    if (lib.mapUpdateElem(map, key, value) !== 0) {
      throw new Error(`failed to write Redis command ${name} into px_redis_commands`);
    }
    written++;
  }
  return written;
}
