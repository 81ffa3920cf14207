import { z } from 'zod';
import { parseDurationMs } from '../../shared/common/duration';

/** A duration such as `30s` or `1h30m`, validated and turned into milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  try {
    return parseDurationMs(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
