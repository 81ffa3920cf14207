import { emitKeypressEvents } from 'node:readline';
import { Key } from './live-state';

const ESC = '\x1b[';
const ALTERNATE_SCREEN_ON = `${ESC}?1049h`;
const ALTERNATE_SCREEN_OFF = `${ESC}?1049l`;
const CURSOR_HIDDEN = `${ESC}?25l`;
const CURSOR_SHOWN = `${ESC}?25h`;

/**
 * The terminal as the live view uses it: the alternate screen, no cursor, keys one at a time
 * (raw mode), frames drawn in place. `start()` takes it over; `shutdown()` gives it back as it
 * was (main screen, cursor, line mode), is safe twice and before start, and also runs when the
 * process exits another way (an uncaught error), so a terminal is never left raw.
 */
export class TerminalScreen {
  private active = false;
  private readonly restoreAtExit = () => this.shutdown();
  private onKeypress: ((text: string | undefined, key: Key | undefined) => void) | undefined;
  private onResize: (() => void) | undefined;

  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly output: NodeJS.WriteStream,
  ) {}

  /** Whether both ends are a terminal (the view needs one). */
  static available(input: NodeJS.ReadStream, output: NodeJS.WriteStream): boolean {
    return Boolean(input.isTTY && output.isTTY);
  }

  start(onKey: (key: Key) => void, onResize: () => void): void {
    if (this.active) return;
    this.active = true;
    process.on('exit', this.restoreAtExit);
    this.output.write(ALTERNATE_SCREEN_ON + CURSOR_HIDDEN);
    emitKeypressEvents(this.input);
    this.input.setRawMode(true);
    this.onKeypress = (_text, key) => {
      if (key) onKey(key);
    };
    this.onResize = onResize;
    this.input.on('keypress', this.onKeypress);
    this.output.on('resize', onResize);
    this.input.resume();
  }

  /** The size frames are cut to. */
  size(): { width: number; height: number } {
    return { width: this.output.columns || 80, height: this.output.rows || 24 };
  }

  /** Draws a frame over the last: each line at its row, cleared to its end, the rest cleared. */
  draw(lines: readonly string[]): void {
    if (!this.active) return;
    let frame = '';
    lines.forEach((line, i) => (frame += `${ESC}${i + 1};1H${line}${ESC}K`));
    if (lines.length < this.size().height) frame += `${ESC}${lines.length + 1};1H${ESC}J`;
    this.output.write(frame);
  }

  shutdown(): void {
    if (!this.active) return;
    this.active = false;
    process.removeListener('exit', this.restoreAtExit);
    if (this.onKeypress) this.input.removeListener('keypress', this.onKeypress);
    if (this.onResize) this.output.removeListener('resize', this.onResize);
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
    this.output.write(CURSOR_SHOWN + ALTERNATE_SCREEN_OFF);
  }
}
