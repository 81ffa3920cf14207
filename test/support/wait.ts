/**
 * Polls `probe` until it returns a value that `done` accepts, and returns that value. Throws
 * after `timeoutMs` with the last value seen, so a failure says how far things got.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached within ${timeoutMs} ms; last value: ${show(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Polls `check` until it returns a value other than undefined or false, and returns it; a check
 * that throws is tried again, and the timeout names its last error. For conditions no event
 * announces, such as a row appearing in a table that another component writes.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 1000,
  intervalMs = 10,
): Promise<T> {
  const last = await waitFor(
    async (): Promise<{ value?: T | undefined | false; error?: string }> => {
      try {
        return { value: await check() };
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
    },
    (r) => r.value !== undefined && r.value !== false,
    { timeoutMs, intervalMs, what },
  );
  return last.value as T;
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return text && text.length > 500 ? `${text.slice(0, 497)}...` : String(text);
}
