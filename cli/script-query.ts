import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { scriptInfo } from '../gateway/src/pxl/bundled';
import { GatewayClient, GatewayError } from './client';
import { ResultTable } from './format/readable-table';
import { ScriptSource, scriptErrorText } from './script-source';

/** How a script is called: `--func` and the `--arg`s (`pxgate run`, `pxgate live`). */
export interface ScriptCallOptions {
  func?: string;
  arg?: Record<string, string>;
}

/** Adds `--func` and the repeatable `--arg name=value` to a command that runs a script. */
export function withScriptCallOptions(cmd: Command): Command {
  return cmd
    .option('--func <name>', 'call this function of the script and show its result')
    .option(
      '--arg <name=value>',
      "an argument of the script's function (repeatable; a bundled script's own function is called)",
      collectArg,
    );
}

function collectArg(text: string, acc: Record<string, string> | undefined): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected name=value');
  return { ...acc, [text.slice(0, eq)]: text.slice(eq + 1) };
}

/**
 * The body of `POST /v1/query` for a script: its source, and the function `--arg` goes to
 * (`--func`, else the bundled scripts' one named after the file).
 */
function queryBody(script: ScriptSource, opts: ScriptCallOptions): Record<string, unknown> {
  const args = opts.arg ?? {};
  const func = opts.func ?? (Object.keys(args).length > 0 ? entryFunction(script) : undefined);
  return {
    script: script.source,
    ...(func !== undefined ? { func } : {}),
    ...(Object.keys(args).length > 0 ? { args } : {}),
  };
}

/**
 * Runs a script on the gateway and returns its tables. A script the gateway refuses (400) is an
 * Error whose message names the file and shows the line with a caret.
 */
export async function queryScript(
  client: GatewayClient,
  script: ScriptSource,
  opts: ScriptCallOptions,
): Promise<ResultTable[]> {
  try {
    const body = await client.post<{ tables: ResultTable[] }>('/v1/query', queryBody(script, opts));
    return body.tables;
  } catch (err) {
    if (err instanceof GatewayError && err.status === 400) {
      throw new Error(scriptErrorText(script, err.detail, err.line, err.column));
    }
    throw err;
  }
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
