import { Logger } from '../../../../shared/common/logger';
import { PxlEngine } from '../../pxl/engine';
import { RunResult } from '../../pxl/execute/result';
import { ColumnarRunResult, columnsFromRows } from '../../pxl/execute/columnar';
import { RunOptions } from '../../pxl/prepare';
import { ClusterView } from '../view';
import { Coordinator } from './coordinator';
import { NatsShardServer } from './nats-shard-server';
import { natsShards } from './nats-shards';

/** What runs a query for the API: the engine alone, or across a cluster's gateways. */
export interface QueryRunner {
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /** run(), with the tables as columns (for Arrow answers). */
  runColumns(script: string, opts?: RunOptions): Promise<ColumnarRunResult>;
}

/**
 * Queries in cluster mode: this gateway serves its parts of every query on NATS, and runs the
 * queries it receives across all members (Coordinator). `start()`/`shutdown()` subscribe and
 * drain; shutdown is idempotent and safe before start.
 */
export class ClusterQueries implements QueryRunner {
  private readonly server: NatsShardServer;
  private readonly coordinator: Coordinator;

  constructor(view: ClusterView, engine: PxlEngine, log: Logger) {
    this.server = new NatsShardServer(view, engine, log);
    this.coordinator = new Coordinator(engine, natsShards(view));
  }

  start(): void {
    this.server.start();
  }

  shutdown(): Promise<void> {
    return this.server.shutdown();
  }

  /** Runs a script over every gateway's rows (see Coordinator.run). */
  run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.coordinator.run(script, opts);
  }

  /**
   * run(), as columns: the coordinator merges the gateways' parts as rows, so here the merged
   * rows are turned into columns.
   */
  async runColumns(script: string, opts: RunOptions = {}): Promise<ColumnarRunResult> {
    const result = await this.run(script, opts);
    return {
      tables: result.tables.map(columnsFromRows),
      exports: result.exports.map((e) => ({ table: columnsFromRows(e.table), spec: e.spec })),
      ...(result.warnings ? { warnings: result.warnings } : {}),
    };
  }
}
