import { Command, Option } from 'commander';
import { bundledScriptsSync } from '../gateway/src/pxl/bundled';
import { withExamples } from './help';
import { BUNDLED_SCRIPTS_DIR } from './script-source';

interface ScriptsOptions {
  format: 'text' | 'json';
}

/** Adds `pxgate scripts`: the bundled scripts, by the names `pxgate run` takes. */
export function addScriptsCommand(program: Command): void {
  const cmd = program
    .command('scripts')
    .description('list the bundled PxL scripts, with what each shows and its arguments')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action((opts: ScriptsOptions) => {
      process.stdout.write(`${listScripts(opts.format)}\n`);
    });
  withExamples(cmd, ['pxgate scripts', 'pxgate run px/service_stats --arg start_time=-15m']);
}

/** The bundled scripts as `pxgate scripts` prints them. */
export function listScripts(format: ScriptsOptions['format']): string {
  const infos = bundledScriptsSync(BUNDLED_SCRIPTS_DIR).map((s) => s.info);
  if (format === 'json') return JSON.stringify({ scripts: infos }, null, 2);
  const width = Math.max(...infos.map((i) => i.name.length));
  return infos
    .map((i) => {
      const args = i.params.map((p) => `${p.name}=${String(p.default)}`).join(' ');
      return [
        `${i.name.padEnd(width)}  ${i.title}`,
        ...wrap(i.description, 76).map((l) => `${' '.repeat(width + 2)}${l}`),
        ...(args ? [`${' '.repeat(width + 2)}args: ${args}`] : []),
      ].join('\n');
    })
    .join('\n\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
