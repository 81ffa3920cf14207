import { readFileSync } from 'node:fs';

/** A process's resident memory in bytes, from /proc (0 once it has exited). */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** What a watch saw while something ran. */
export interface Watched {
  /** Highest resident memory of the process. */
  peakRssBytes: number;
  /** Slowest `/healthz` answer, in ms (a probe that never answered counts as its wait). */
  slowestHealthMs: number;
  /** `/healthz` probes made. */
  probes: number;
  /** Whether the watch killed the process for passing `killAboveBytes`. */
  killed: boolean;
}

/**
 * Watches a gateway process while `work` runs: samples its RSS and probes `/healthz` one after
 * another, each waiting for the previous, so a blocked event loop shows as a slow probe. A
 * process whose RSS passes `killAboveBytes` is killed at once, so that a regression fails its
 * test instead of exhausting the machine.
 */
export async function watchWhile<T>(
  pid: number,
  url: string,
  killAboveBytes: number,
  work: Promise<T>,
): Promise<{ result: T; watched: Watched }> {
  const watched: Watched = { peakRssBytes: 0, slowestHealthMs: 0, probes: 0, killed: false };
  let done = false;
  const sampler = setInterval(() => {
    const rss = rssOf(pid);
    watched.peakRssBytes = Math.max(watched.peakRssBytes, rss);
    if (rss > killAboveBytes && !watched.killed) {
      watched.killed = true;
      process.kill(pid, 'SIGKILL');
    }
  }, 20);
  const prober = (async () => {
    while (!done && !watched.killed) {
      const started = Date.now();
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch(() => {});
      watched.slowestHealthMs = Math.max(watched.slowestHealthMs, Date.now() - started);
      watched.probes++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const result = await work;
    return { result, watched };
  } finally {
    done = true;
    clearInterval(sampler);
    await prober;
  }
}
