/**
 * Pixie's process id, unique across hosts and time: the agent's id (asid), the pid, and the
 * process start time in clock ticks since boot (pids are reused, start times are not).
 */
export interface Upid {
  readonly asid: number;
  readonly pid: number;
  readonly startTicks: bigint;
}

/** The UPID's text form, `asid:pid:start_ticks`, which the gateway also accepts. */
export function formatUpid(u: Upid): string {
  return `${u.asid}:${u.pid}:${u.startTicks}`;
}

/** The UPID as UINT128 halves: high = asid << 32 | pid, low = start_ticks. */
export function upidHalves(u: Upid): { high: bigint; low: bigint } {
  return { high: (BigInt(u.asid) << 32n) | BigInt(u.pid), low: u.startTicks };
}
