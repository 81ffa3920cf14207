/**
 * Logs as go-plugin's host reads a plugin's stderr: one hclog JSON object per line, with
 * `@level`, `@message`, `@timestamp` and `@module`, and the fields beside them. Grafana shows
 * them in its own log under the plugin's name. Values that are not JSON (errors) are written as
 * their message.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** Where log lines go: stderr in the executable, a list in tests. */
export type LineSink = (line: string) => void;

/** A logger of hclog JSON lines. */
export class HclogLogger {
  constructor(
    private readonly sink: LineSink,
    private readonly level: LogLevel = 'info',
    private readonly module = 'pxgate',
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const line: Record<string, unknown> = {
      '@level': level,
      '@message': message,
      '@module': this.module,
      '@timestamp': new Date().toISOString(),
    };
    for (const [key, value] of Object.entries(fields)) {
      line[key] = value instanceof Error ? value.message : value;
    }
    this.sink(JSON.stringify(line));
  }
}

/** The level named by `text` (Grafana's plugin log level setting), or `info`. */
export function logLevel(text: string | undefined): LogLevel {
  const level = text?.toLowerCase();
  return level && level in ORDER ? (level as LogLevel) : 'info';
}

/** A logger that drops everything. */
export function silentLogger(): HclogLogger {
  return new HclogLogger(() => undefined, 'error');
}
