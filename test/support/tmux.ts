import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { waitFor } from './wait';

/**
 * A command running in a pseudo-terminal of a tmux server of its own (its own socket, no user
 * configuration), for driving and reading a full-screen program as a person would. A shell runs
 * it and stays: after the command exits, the shell prints its exit status and the terminal's
 * line modes (`icanon echo` when the command left raw mode), and the terminal's state (main or
 * alternate screen, cursor shown) can still be read.
 */
export class TmuxSession {
  private constructor(private readonly socket: string) {}

  /** Starts `argv` in a `width` by `height` terminal. */
  static async start(argv: readonly string[], width = 120, height = 40): Promise<TmuxSession> {
    const session = new TmuxSession(`pxgate-test-${randomBytes(6).toString('hex')}`);
    const command = [
      argv.map(shellQuote).join(' '),
      'echo "exited with $?"',
      `echo "modes: $(stty -a | tr ' ;' '\\n\\n' | grep -x -E -e '-?(icanon|echo)' | tr '\\n' ' ')"`,
      'exec sleep 3600',
    ].join('; ');
    await session.tmux([
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(width),
      '-y',
      String(height),
      command,
    ]);
    return session;
  }

  /** The screen as text, one line per row. */
  screen(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-t', 'main']);
  }

  /** Waits until the screen satisfies `done`; returns it. */
  waitForScreen(
    done: (screen: string) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<string> {
    return waitFor(() => this.screen(), done, { timeoutMs, intervalMs: 100, what });
  }

  /** Types keys (tmux's names: `Tab`, `C-c`, or plain text). */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** A tmux format of the pane, such as `#{alternate_on}` or `#{pane_dead_status}`. */
  async format(format: string): Promise<string> {
    return (await this.tmux(['display-message', '-p', '-t', 'main', format])).trim();
  }

  /** Resizes the terminal (the program gets SIGWINCH). */
  async resize(width: number, height: number): Promise<void> {
    await this.tmux(['resize-window', '-t', 'main', '-x', String(width), '-y', String(height)]);
  }

  /** Waits for the command to exit; returns its exit status and the terminal's line modes. */
  async exited(): Promise<{ status: number; modes: string }> {
    const screen = await this.waitForScreen((s) => /^modes: /m.test(s), 'the command to exit');
    return {
      status: Number(/^exited with (\d+)$/m.exec(screen)?.[1]),
      modes: /^modes: (.*)$/m.exec(screen)![1]!.trim(),
    };
  }

  /** The pid of the command (the child of the pane's shell). */
  async pid(): Promise<number> {
    const shell = Number(await this.format('#{pane_pid}'));
    const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim();
    const pid = Number(children.split(' ')[0]);
    // Never 0 or less: process.kill would signal a whole process group.
    if (!Number.isInteger(pid) || pid <= 0)
      throw new Error(`no command runs in the pane: ${children}`);
    return pid;
  }

  /** Ends the tmux server and whatever still runs in it. */
  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }

  private tmux(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'tmux',
        ['-L', this.socket, '-f', '/dev/null', ...args],
        { timeout: 10_000 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`tmux ${args[0]} failed: ${stderr || err.message}`))
            : resolve(stdout),
      );
    });
  }
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
