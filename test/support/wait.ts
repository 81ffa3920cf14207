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

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return text && text.length > 500 ? `${text.slice(0, 497)}...` : String(text);
}
