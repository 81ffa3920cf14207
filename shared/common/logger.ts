import pino from 'pino';
import { textLogLine } from './log-text';

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Text for a person at a terminal, JSON lines for anything else (a file, a collector). */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY ? 'text' : 'json';
}

/**
 * Creates the process logger on stderr, so stdout stays free for command output: JSON lines,
 * or lines for people (`text`).
 */
export function createLogger(
  level: LogLevel,
  format: LogFormat = defaultLogFormat(),
  name = 'pxgate',
): Logger {
  const options = { name, level, base: { pid: process.pid } };
  if (format === 'json') return pino(options, pino.destination(2));
  const out = pino.destination({ fd: 2, sync: true });
  return pino(options, { write: (line: string) => out.write(textLogLine(line)) });
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
