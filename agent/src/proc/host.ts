import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's tick counts on every Linux architecture pxgate targets. */
export const TICKS_PER_SECOND = 100;
export const NS_PER_TICK = 1_000_000_000n / BigInt(TICKS_PER_SECOND);

/** The kernel's page size (statm counts pages), from getconf; 4 KiB when that fails. */
export function pageSize(): number {
  try {
    const v = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
    return Number.isInteger(v) && v > 0 ? v : 4096;
  } catch {
    return 4096;
  }
}

/** Wall-clock time now, in ns since the epoch (microsecond resolution). */
export function wallNowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/**
 * Converts kernel timestamps to wall-clock time. eBPF stamps events with CLOCK_MONOTONIC (as
 * process.hrtime does); the offset to the wall clock is sampled at start and on `resync()`, so
 * NTP steps are followed within one resync period.
 */
export class WallClock {
  private offsetNs = 0n;

  constructor() {
    this.resync();
  }

  resync(): void {
    this.offsetNs = wallNowNs() - process.hrtime.bigint();
  }

  fromMonotonic(monoNs: number): bigint {
    return BigInt(Math.round(monoNs)) + this.offsetNs;
  }

  /** Wall-clock time of the boot, for process start times (ticks since boot). */
  bootNs(procRoot = '/proc'): bigint {
    const uptime = readFileSync(`${procRoot}/uptime`, 'utf8').split(' ')[0]!;
    const [s, frac = '0'] = uptime.split('.');
    const uptimeNs = BigInt(s!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
    return wallNowNs() - uptimeNs;
  }
}
