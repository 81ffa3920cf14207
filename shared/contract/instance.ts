import { randomUUID } from 'node:crypto';

/**
 * The header on every gateway answer that names the running gateway process: a new value
 * after a restart tells agents to send again what the gateway only hears once (the metadata
 * of processes that are still running).
 */
export const INSTANCE_HEADER = 'x-pxgate-instance';

/** A fresh instance id, one per gateway process start. */
export function newInstanceId(): string {
  return randomUUID();
}
