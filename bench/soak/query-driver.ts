import { LatencyLog } from './latency';
import { PacedRunner } from './paced-runner';

/** Queries the driver keeps on the wire at most; the gateway itself runs 4 and queues 64. */
const IN_FLIGHT = 8;

/** A bundled script and its name. */
export interface Script {
  name: string;
  text: string;
}

/**
 * Runs PxL scripts against a gateway at a steady rate, cycling through `scripts`, and records
 * each run's latency (to the last byte of the answer) and status. At most IN_FLIGHT runs are
 * on the wire; queries due while that many wait are skipped and counted.
 */
export class QueryDriver {
  readonly latency = new LatencyLog();
  /** Answers by status code ("network" for a request that got none). */
  readonly byStatus: Record<string, number> = {};
  /** The first 5xx answers, with the script and message, for the verdict. */
  readonly serverErrors: string[] = [];
  private readonly runner: PacedRunner;
  private next = 0;

  constructor(
    private readonly url: string,
    perSecond: number,
    private readonly scripts: readonly Script[],
  ) {
    this.runner = new PacedRunner(
      { perSecond, unit: 1, maxInFlight: IN_FLIGHT, maxBacklog: 1 },
      () => this.run(this.scripts[this.next++ % this.scripts.length]!),
    );
  }

  get sent(): number {
    return this.runner.started;
  }

  /** Queries due that were not sent because IN_FLIGHT were still running. */
  get skipped(): number {
    return this.runner.skipped;
  }

  /** Answers with a 5xx status, or none at all. */
  get failed(): number {
    return Object.entries(this.byStatus)
      .filter(([s]) => s === 'network' || Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0);
  }

  start(): void {
    this.runner.start();
  }

  /** Stops starting queries and waits for those running. */
  async shutdown(): Promise<void> {
    await this.runner.shutdown();
  }

  private async run(script: Script): Promise<void> {
    const t0 = performance.now();
    let status: string;
    try {
      const res = await fetch(`${this.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ script: script.text }),
      });
      const text = await res.text();
      status = String(res.status);
      if (res.status >= 500 && this.serverErrors.length < 5)
        this.serverErrors.push(`${script.name}: ${res.status} ${text.slice(0, 200)}`);
    } catch (err) {
      status = 'network';
      if (this.serverErrors.length < 5)
        this.serverErrors.push(`${script.name}: ${(err as Error).message}${causeOf(err)}`);
    }
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (status === '200') this.latency.add(performance.now() - t0);
  }
}

/** fetch says only "fetch failed": the cause (a reset, a closed socket) says what happened. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause?.message;
  return cause ? ` (${cause})` : '';
}
