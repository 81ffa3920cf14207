import { Writable } from 'node:stream';
import pino from 'pino';
import { Logger, LogLevel } from '../../shared/common/logger';

/** A logger that keeps its JSON lines, for tests that assert what was logged. */
export function capturingLogger(level: LogLevel = 'info'): {
  log: Logger;
  lines: () => Record<string, unknown>[];
} {
  const kept: string[] = [];
  const log = pino(
    { level },
    new Writable({
      write(chunk, _enc, done) {
        kept.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines: () => kept.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
