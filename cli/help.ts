import { Command } from 'commander';

/** Adds an "Examples:" section after a command's options in its `--help`. */
export function withExamples(cmd: Command, examples: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
