import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDurationNs } from '../shared/common/duration';
import { ConnectionOptions, connect, withConnectionOptions } from './client';
import { formatCsv, formatTable } from './format';

interface RunOptions extends ConnectionOptions {
  func?: string;
  arg: Record<string, string>;
  format: 'table' | 'json' | 'csv';
}

interface JsonTable {
  name: string;
  columns: { name: string; type: string; semanticType: string }[];
  rows: unknown[][];
}

/** Adds `pxgate run FILE.pxl`: runs a script on a gateway and prints its tables. */
export function addRunCommand(program: Command): void {
  withConnectionOptions(program.command('run <file>'))
    .description('run a PxL script on a gateway and print its tables')
    .option('--func <name>', 'call this function of the script and show its result')
    .option('--arg <name=value>', 'an argument of --func (repeatable)', collectArg, {})
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action((file: string, opts: RunOptions) => runScript(file, opts));
}

function collectArg(text: string, acc: Record<string, string>): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected name=value');
  return { ...acc, [text.slice(0, eq)]: text.slice(eq + 1) };
}

async function runScript(file: string, opts: RunOptions): Promise<void> {
  let script: string;
  try {
    script = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const client = connect(opts);
  const body = await client.post<{ tables: JsonTable[] }>('/v1/query', {
    script,
    ...(opts.func !== undefined ? { func: opts.func } : {}),
    ...(Object.keys(opts.arg).length > 0 ? { args: opts.arg } : {}),
  });
  process.stdout.write(`${renderTables(body.tables, opts.format)}\n`);
}

/**
 * Renders result tables: `json` as the API answered them; `csv` one block per table (a lone
 * table is plain CSV, several are each preceded by `# name`); `table` aligned, each under its
 * name, with times as ISO 8601 and durations as `1.5ms`.
 */
export function renderTables(tables: readonly JsonTable[], format: RunOptions['format']): string {
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
  return tables
    .map((t) => {
      const rows = t.rows.map((row) => row.map((v, i) => humanCell(v, t.columns[i]!)));
      const count = `${t.rows.length} row${t.rows.length === 1 ? '' : 's'}`;
      return `${t.name} (${count})\n${formatTable(
        t.columns.map((c) => c.name),
        rows,
      )}`;
    })
    .join('\n\n');
}

function humanCell(v: unknown, col: { type: string; semanticType: string }): unknown {
  if (v === null || (typeof v !== 'number' && typeof v !== 'string')) return v;
  if (col.type === 'TIME64NS') return isoNs(BigInt(v));
  if (col.semanticType === 'ST_DURATION_NS' && col.type !== 'STRING') {
    return formatDurationNs(Number(v));
  }
  return v;
}

function isoNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n)
    .toString()
    .padStart(9, '0');
  return new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}
