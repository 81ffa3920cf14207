import { randomUUID } from 'node:crypto';
import { TableColumns } from '../../agent/src/transport/columns';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { CellValue } from '../../agent/src/transport/row';
import { ARROW_STREAM_TYPE } from '../../shared/contract/arrow';
import { BATCH_ID_HEADER } from '../../shared/contract/batch-id';
import { HTTP_EVENTS } from '../../shared/contract/schemas';
import { httpColumns } from '../_support';
import { PacedRunner } from './paced-runner';

/** The agent's default: two requests on the wire at once. */
const IN_FLIGHT = 2;
/** How far behind the clock the driver may fall before it skips rows (and says so). */
const BACKLOG_SECONDS = 2;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Attempts of one batch before the driver gives it up (and counts its rows as abandoned). */
const MAX_ATTEMPTS = 30;
/**
 * Peers the generated requests go to: few, so that the http-metrics preset makes a bounded
 * number of series (a client series per address and port) and nothing is cut by
 * export.maxSeriesPerJob.
 */
const PEERS = ['10.244.1.7', '10.244.2.9'];

type MutableRow = Record<string, CellValue>;

/** A point of the acknowledged-rows timeline: `rows` acknowledged in all by `atMs`. */
interface Acked {
  rows: number;
  atMs: number;
}

/**
 * Sends http_events to a gateway at a steady rate, as the agent does: Arrow IPC batches of
 * `batchRows` rows written by the agent's own encoder, each with its X-Pxgate-Batch-Id, two
 * requests in flight, a batch that failed with a 5xx or on the network sent again (same id)
 * with backoff. The rows are one generated template whose times are set to the clock at each
 * batch, so each batch carries the same mix of methods, paths and statuses.
 */
export class IngestDriver {
  /** Rows the gateway acknowledged (2xx), and the batches they came in. */
  ackedRows = 0;
  ackedBatches = 0;
  /** Rows of batches the gateway refused with a 4xx (never sent again), and by status. */
  refusedRows = 0;
  readonly refusedByStatus: Record<string, number> = {};
  /** Rows of batches given up after MAX_ATTEMPTS failures (5xx or network). */
  abandonedRows = 0;
  /** Requests sent again after a 5xx or a network error, and the last such error. */
  retries = 0;
  lastRetryError: string | undefined;
  private readonly template: MutableRow[];
  private readonly columns = new TableColumns(HTTP_EVENTS);
  private readonly encoder = new ArrowStreamEncoder(HTTP_EVENTS);
  private readonly timeline: Acked[] = [{ rows: 0, atMs: Date.now() }];
  private readonly runner: PacedRunner;

  constructor(
    private readonly url: string,
    private readonly rowsPerSecond: number,
    private readonly batchRows: number,
  ) {
    this.template = templateRows(batchRows);
    this.runner = new PacedRunner(
      {
        perSecond: rowsPerSecond,
        unit: batchRows,
        maxInFlight: IN_FLIGHT,
        maxBacklog: Math.max(batchRows, Math.ceil(rowsPerSecond * BACKLOG_SECONDS)),
      },
      (now) => this.send(this.encode(now)),
    );
  }

  /** Rows per status code in each batch (every batch holds the template's mix). */
  get statusMix(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.template) {
      const s = String(r.resp_status);
      out[s] = (out[s] ?? 0) + 1;
    }
    return out;
  }

  /** Rows behind the clock that were never sent (the machine did not keep up). */
  get skippedRows(): number {
    return this.runner.skipped;
  }

  start(): void {
    this.runner.start();
  }

  /** Stops sending new batches and waits for those on the wire (and their retries). */
  async shutdown(): Promise<void> {
    await this.runner.shutdown();
  }

  /**
   * When the gateway had acknowledged `rows` rows in all (the export cursor is an ingest
   * sequence number, and this driver is the only writer), or undefined before the timeline.
   */
  ackedAt(rows: number): number | undefined {
    const t = this.timeline;
    let lo = 0;
    let hi = t.length - 1;
    if (t.length === 0 || rows > t[hi]!.rows) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]!.rows >= rows) hi = mid;
      else lo = mid + 1;
    }
    return t[lo]!.atMs;
  }

  /** The template with times up to `nowMs`, one batch period long, as an Arrow IPC stream. */
  private encode(nowMs: number): Uint8Array {
    const periodNs = BigInt(Math.round((this.batchRows / this.rowsPerSecond) * 1e9));
    const stepNs = periodNs / BigInt(this.batchRows);
    const first = BigInt(nowMs) * 1_000_000n - periodNs;
    this.columns.reset();
    for (let i = 0; i < this.template.length; i++) {
      const row = this.template[i]!;
      row.time_ = first + BigInt(i) * stepNs;
      this.columns.append(row);
    }
    return this.encoder.encode(this.columns);
  }

  private async send(body: Uint8Array): Promise<void> {
    const headers = {
      'content-type': ARROW_STREAM_TYPE,
      'x-pxgate-table': 'http_events',
      [BATCH_ID_HEADER]: randomUUID(),
    };
    let wait = RETRY_FIRST_MS;
    for (let attempt = 1; ; attempt++, wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      let failure: string;
      try {
        const res = await fetch(`${this.url}/v1/ingest`, { method: 'POST', headers, body });
        const answer = (await res.json()) as { rows?: number; error?: { message?: string } };
        if (res.ok) {
          this.ackedRows += answer.rows ?? 0;
          this.ackedBatches++;
          this.timeline.push({ rows: this.ackedRows, atMs: Date.now() });
          return;
        }
        if (res.status < 500) {
          this.refusedRows += this.batchRows;
          this.refusedByStatus[res.status] = (this.refusedByStatus[res.status] ?? 0) + 1;
          return;
        }
        failure = `${res.status}: ${answer.error?.message ?? ''}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      this.lastRetryError = failure;
      if (attempt === MAX_ATTEMPTS) {
        this.abandonedRows += this.batchRows;
        return;
      }
      this.retries++;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** `n` rows from the benchmarks' generator, as the agent's row objects, with few peers. */
function templateRows(n: number): MutableRow[] {
  const c = httpColumns(n, 0n);
  const upids = new DataView(c.upid.buffer, c.upid.byteOffset, c.upid.byteLength);
  const rows: MutableRow[] = [];
  for (let i = 0; i < n; i++) {
    const row: MutableRow = {};
    for (const [name, values] of Object.entries(c)) {
      if (name === 'upid') continue;
      row[name] = (values as ArrayLike<CellValue>)[i]!;
    }
    row.upid = {
      low: upids.getBigUint64(16 * i, true),
      high: upids.getBigUint64(16 * i + 8, true),
    };
    row.remote_addr = PEERS[i % PEERS.length]!;
    row.remote_port = 8080n;
    rows.push(row);
  }
  return rows;
}
