import { hostname } from 'node:os';

/** The environment variable that names the node (the DaemonSet sets it from `spec.nodeName`). */
export const NODE_NAME_ENV = 'PXGATE_NODE_NAME';

/** The name of the node this agent runs on: `$PXGATE_NODE_NAME`, else the hostname. */
export function nodeName(
  env: Readonly<Record<string, string | undefined>> = process.env,
  host: () => string = hostname,
): string {
  return env[NODE_NAME_ENV]?.trim() || host();
}

/**
 * The agent's id in UPIDs when the config sets none: a stable, nonzero 32-bit hash of the node
 * name (FNV-1a over its UTF-8 bytes), so that agents on different nodes send UPIDs that cannot
 * meet (unless two names collide, about one pair in 2^32) and a restarted agent keeps its id.
 */
export function asidForNode(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}
