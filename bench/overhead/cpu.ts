import { readFileSync } from 'node:fs';
import { TICKS_PER_SECOND } from '../../agent/src/proc/host';
import { parseStat } from '../../agent/src/proc/proc-files';

const US_PER_TICK = 1e6 / TICKS_PER_SECOND;

/**
 * CPU microseconds the whole machine has been busy (every CPU, /proc/stat's first line): user,
 * nice, system, irq, softirq and steal; idle and iowait are not work.
 */
export function machineBusyUs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * US_PER_TICK;
}

/** CPU microseconds (user + system, all threads) a process has used; 0 once it is gone. */
export function processUs(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const stat = parseStat(text);
  if (!stat) throw new Error(`/proc/${pid}/stat is not readable as stat`);
  return (stat.utimeTicks + stat.stimeTicks) * US_PER_TICK;
}
