import { Command, Option } from 'commander';
import { ConnectionOptions, connect, withConnectionOptions } from './client';
import { ResultTable, readableTable } from './format/readable-table';
import { formatCsv, formatTable } from './format/text-table';
import { withExamples } from './help';
import { ScriptCallOptions, queryScript, withScriptCallOptions } from './script-query';
import { readScript } from './script-source';

interface RunOptions extends ConnectionOptions, ScriptCallOptions {
  format: 'table' | 'json' | 'csv';
  wide?: boolean;
}

/** Adds `pxgate run FILE.pxl`: runs a script on a gateway and prints its tables. */
export function addRunCommand(program: Command): void {
  const cmd = withScriptCallOptions(withConnectionOptions(program.command('run <script>')))
    .description(
      'run a PxL script on a gateway and print its tables: a file, or a bundled script by name (px/http_data; `pxgate scripts` lists them)',
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .option('--wide', 'show long text cells whole (a table cuts them with an ellipsis)')
    .action((file: string, opts: RunOptions) => runScript(file, opts));
  withExamples(cmd, [
    'pxgate run px/http_data',
    'pxgate run px/service_stats --arg start_time=-15m --arg window=1m',
    'pxgate run slow.pxl --format csv > slow.csv',
    'pxgate run px/conn_stats --gateway https://gw.example:8090 --token-file token',
  ]);
}

async function runScript(ref: string, opts: RunOptions): Promise<void> {
  const tables = await queryScript(connect(opts), readScript(ref), opts);
  process.stdout.write(`${renderTables(tables, opts.format, opts.wide)}\n`);
}

/**
 * Renders result tables: `json` as the API answered them; `csv` one block per table (a lone
 * table is plain CSV, several are each preceded by `# name`), values exact; `table` for
 * people, each under its name, formatted by semantic type (see readableTable).
 */
export function renderTables(
  tables: readonly ResultTable[],
  format: RunOptions['format'],
  wide = false,
): string {
  if (format === 'json') return JSON.stringify({ tables }, null, 2);
  if (format === 'csv') {
    return tables
      .map((t) => {
        const csv = formatCsv(
          t.columns.map((c) => c.name),
          t.rows,
        );
        return tables.length === 1 ? csv : `# ${t.name}\n${csv}`;
      })
      .join('\n\n');
  }
  return tables.map((t) => renderReadable(t, wide)).join('\n\n');
}

/** One table for people: its name and row count, then its formatted rows. */
export function renderReadable(t: ResultTable, wide: boolean): string {
  const r = readableTable(t, wide);
  const count = `${t.rows.length} row${t.rows.length === 1 ? '' : 's'}`;
  return `${t.name} (${count})\n${formatTable(r.headers, r.rows, r.numeric)}`;
}
