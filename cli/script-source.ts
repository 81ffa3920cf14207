import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../gateway/src/common/package-info';

/** A script to run, and what to call it in messages. */
export interface ScriptSource {
  readonly file: string;
  readonly source: string;
}

/** The bundled scripts' folder. */
export const BUNDLED_SCRIPTS_DIR = join(PACKAGE_ROOT, 'scripts', 'px');

const BUNDLED_NAME = /^px\/([A-Za-z0-9_]+)$/;

/**
 * Reads a script given as a file, or as a bundled script's name (`px/http_data`, as
 * `pxgate scripts` lists them). A file of that name in the current directory wins.
 */
export function readScript(ref: string): ScriptSource {
  const bundled = BUNDLED_NAME.exec(ref);
  const file = bundled && !existsSync(ref) ? join(BUNDLED_SCRIPTS_DIR, `${bundled[1]!}.pxl`) : ref;
  try {
    return { file, source: readFileSync(file, 'utf8') };
  } catch (err) {
    if (bundled && !existsSync(file)) {
      throw new Error(`there is no bundled script ${ref}: \`pxgate scripts\` lists them`);
    }
    throw new Error(`cannot read ${ref}: ${(err as Error).message}`);
  }
}

/**
 * A script error as a compiler prints one: `file:line:column: message`, then the line and a
 * caret under the column. Without a position, the file and the message.
 */
export function scriptErrorText(
  script: ScriptSource,
  message: string,
  line: number | undefined,
  column: number | undefined,
): string {
  if (line === undefined) return `${script.file}: ${message}`;
  const text = script.source.split('\n')[line - 1];
  const head = `${script.file}:${line}${column !== undefined ? `:${column}` : ''}: ${message}`;
  if (text === undefined) return head;
  const caret = column !== undefined ? `\n${' '.repeat(Math.max(0, column - 1))}^` : '';
  return `${head}\n${text.replace(/\t/g, ' ')}${caret}`;
}
