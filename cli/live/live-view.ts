import { GatewayClient } from '../client';
import { ScriptCallOptions, queryScript } from '../script-query';
import { ScriptSource } from '../script-source';
import { INITIAL_STATE, Key, LiveState, onAnswer, onError, onKey } from './live-state';
import { liveScreen } from './live-screen';
import { TerminalScreen } from './terminal';

/** What the live view runs, against which gateway, and how often. */
export interface LiveViewOptions {
  readonly script: ScriptSource;
  /** The script as the user named it (`px/http_data`, a file). */
  readonly label: string;
  readonly call: ScriptCallOptions;
  readonly client: GatewayClient;
  readonly intervalMs: number;
}

/** The signals that end the view as `q` does, restoring the terminal first. */
const QUIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * `pxgate live`: runs a script every interval (never two at once) and draws its answer in
 * place, until `q`, Ctrl-C or a signal. A refresh that fails (a script error, the gateway
 * down) shows its error and the view tries again on the next interval. Paused, it runs nothing
 * and shows nothing new.
 */
export class LiveView {
  private state: LiveState = INITIAL_STATE;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private done = false;
  private finish: (() => void) | undefined;
  private readonly onSignal = () => this.quit();

  constructor(
    private readonly opts: LiveViewOptions,
    private readonly screen: TerminalScreen,
  ) {}

  /** Runs the view; resolves once it has quit and the terminal is restored. */
  run(): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    for (const s of QUIT_SIGNALS) process.on(s, this.onSignal);
    try {
      this.screen.start(
        (key) => this.key(key),
        () => this.draw(),
      );
      this.draw();
      this.refresh();
    } catch (err) {
      this.quit();
      throw err;
    }
    return finished;
  }

  private key(key: Key): void {
    const { state, action } = onKey(this.state, key);
    this.state = state;
    if (action === 'quit') return this.quit();
    if (state.paused) this.stopTimer();
    if (action === 'refresh') this.refresh();
    this.draw();
  }

  private refresh(): void {
    this.stopTimer();
    if (this.done || this.state.paused || this.inFlight) return;
    this.inFlight = true;
    queryScript(this.opts.client, this.opts.script, this.opts.call).then(
      (tables) => this.settle((s) => onAnswer(s, tables, new Date())),
      (err: unknown) =>
        this.settle((s) =>
          onError(s, err instanceof Error ? err.message : String(err), new Date()),
        ),
    );
  }

  private settle(next: (s: LiveState) => LiveState): void {
    this.inFlight = false;
    // Paused, the view stays as it was when p was pressed: an answer that comes after (its
    // query was under way) is dropped; resuming refreshes at once.
    if (this.done || this.state.paused) return;
    this.state = next(this.state);
    this.draw();
    this.timer = setTimeout(() => this.refresh(), this.opts.intervalMs);
  }

  private draw(): void {
    if (this.done) return;
    const { width, height } = this.screen.size();
    this.screen.draw(
      liveScreen({
        state: this.state,
        script: this.opts.label,
        gateway: this.opts.client.baseUrl,
        intervalMs: this.opts.intervalMs,
        width,
        height,
      }),
    );
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private quit(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    for (const s of QUIT_SIGNALS) process.removeListener(s, this.onSignal);
    this.screen.shutdown();
    // A refresh still waiting on the gateway must not hold the process open.
    this.opts.client.close();
    this.finish?.();
  }
}
