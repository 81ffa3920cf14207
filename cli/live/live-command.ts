import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDurationMs } from '../../shared/common/duration';
import { ConnectionOptions, connect, withConnectionOptions } from '../client';
import { withExamples } from '../help';
import { ScriptCallOptions, withScriptCallOptions } from '../script-query';
import { readScript } from '../script-source';
import { LiveView } from './live-view';
import { TerminalScreen } from './terminal';

interface LiveOptions extends ConnectionOptions, ScriptCallOptions {
  interval: number;
}

/** Refreshing faster than this would mostly load the gateway. */
const MIN_INTERVAL_MS = 500;

/** Adds `pxgate live SCRIPT`: a script's tables, refreshed in place in the terminal. */
export function addLiveCommand(program: Command): void {
  const cmd = withScriptCallOptions(withConnectionOptions(program.command('live <script>')))
    .description(
      'run a PxL script every few seconds and show its tables in place, in the terminal (keys: p pause/resume, tab/n next table, q quit); a file, or a bundled script by name',
    )
    .addOption(
      new Option('--interval <duration>', 'time between refreshes')
        .argParser(parseInterval)
        .default(5000, '5s'),
    )
    .action((ref: string, opts: LiveOptions) => runLive(ref, opts));
  withExamples(cmd, [
    'pxgate live px/http_data',
    'pxgate live px/service_stats --interval 10s',
    'pxgate live slow.pxl --gateway https://gw.example:8090 --token-file token',
  ]);
}

function parseInterval(text: string): number {
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (ms < MIN_INTERVAL_MS) throw new InvalidArgumentError(`at least ${MIN_INTERVAL_MS}ms`);
  return ms;
}

async function runLive(ref: string, opts: LiveOptions): Promise<void> {
  if (!TerminalScreen.available(process.stdin, process.stdout)) {
    throw new Error(
      `pxgate live draws in a terminal, and this is not one: \`pxgate run ${ref}\` prints the tables once`,
    );
  }
  const view = new LiveView(
    {
      script: readScript(ref),
      label: ref,
      call: opts,
      client: connect(opts),
      intervalMs: opts.interval,
    },
    new TerminalScreen(process.stdin, process.stdout),
  );
  await view.run();
}
