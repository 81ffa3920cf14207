import { basename } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { scriptInfo } from '../gateway/src/pxl/bundled';
import { ConnectionOptions, GatewayError, connect, withConnectionOptions } from './client';
import { ResultTable, readableTable } from './format/readable-table';
import { formatCsv, formatTable } from './format/text-table';
import { withExamples } from './help';
import { ScriptSource, readScript, scriptErrorText } from './script-source';

interface RunOptions extends ConnectionOptions {
  func?: string;
  arg?: Record<string, string>;
  format: 'table' | 'json' | 'csv';
  wide?: boolean;
}

/** Adds `pxgate run FILE.pxl`: runs a script on a gateway and prints its tables. */
export function addRunCommand(program: Command): void {
  const cmd = withConnectionOptions(program.command('run <script>'))
    .description(
      'run a PxL script on a gateway and print its tables: a file, or a bundled script by name (px/http_data; `pxgate scripts` lists them)',
    )
    .option('--func <name>', 'call this function of the script and show its result')
    .option(
      '--arg <name=value>',
      "an argument of the script's function (repeatable; a bundled script's own function is called)",
      collectArg,
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

function collectArg(text: string, acc: Record<string, string> | undefined): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected name=value');
  return { ...acc, [text.slice(0, eq)]: text.slice(eq + 1) };
}

async function runScript(ref: string, opts: RunOptions): Promise<void> {
  const script = readScript(ref);
  const args = opts.arg ?? {};
  const func = opts.func ?? (Object.keys(args).length > 0 ? entryFunction(script) : undefined);
  const client = connect(opts);
  let body: { tables: ResultTable[] };
  try {
    body = await client.post<{ tables: ResultTable[] }>('/v1/query', {
      script: script.source,
      ...(func !== undefined ? { func } : {}),
      ...(Object.keys(args).length > 0 ? { args } : {}),
    });
  } catch (err) {
    if (err instanceof GatewayError && err.status === 400) {
      throw new Error(scriptErrorText(script, err.detail, err.line, err.column));
    }
    throw err;
  }
  process.stdout.write(`${renderTables(body.tables, opts.format, opts.wide)}\n`);
}

/**
 * The function `--arg` goes to without `--func`: the one named after the file, as in the
 * bundled scripts (`service_stats` in service_stats.pxl). A script that does not parse has
 * none here; the gateway says what is wrong with it.
 */
function entryFunction(script: ScriptSource): string | undefined {
  try {
    return scriptInfo(basename(script.file, '.pxl'), script.source).func;
  } catch {
    return undefined;
  }
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
