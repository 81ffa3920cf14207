import { ByteQueue } from './byte-queue';
import { ExponentialBackoff } from '../../../../shared/common/backoff';
import { ExportError, retryableError, throttledError, permanentError } from './errors';
import { parseRetryAfter } from '../../../../shared/common/retry-after';
import { classifyHttpStatus } from './http-status';
import { sendWithRetry } from './retry';

describe('classifyHttpStatus', () => {
  it('retries only 429, 502, 503 and 504 for OTLP, never other 4xx or 5xx', () => {
    const cls = (status: number) => classifyHttpStatus(status, undefined, 'otlp', '')?.errorClass;
    expect([200, 400, 401, 404, 413, 429, 500, 501, 502, 503, 504].map(cls)).toEqual([
      undefined,
      'permanent',
      'permanent',
      'permanent',
      'permanent',
      'retryable',
      'permanent',
      'permanent',
      'retryable',
      'retryable',
      'retryable',
    ]);
  });

  it('retries every 5xx and 429 for remote-write, never other 4xx', () => {
    const cls = (status: number) =>
      classifyHttpStatus(status, undefined, 'remote-write', '')?.errorClass;
    expect([204, 400, 404, 409, 429, 500, 501, 503].map(cls)).toEqual([
      undefined,
      'permanent',
      'permanent',
      'permanent',
      'retryable',
      'retryable',
      'retryable',
      'retryable',
    ]);
  });

  it('turns Retry-After into a throttle, in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(classifyHttpStatus(503, '7', 'otlp', 'busy', now)).toMatchObject({
      errorClass: 'throttled',
      retryAfterMs: 7000,
      message: 'HTTP 503: busy',
    });
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('ExponentialBackoff', () => {
  it('grows by the multiplier up to the cap, jittered within the randomization factor', () => {
    const settings = {
      initialIntervalMs: 100,
      maxIntervalMs: 400,
      multiplier: 2,
      randomizationFactor: 0.5,
      maxElapsedMs: 1e9,
    };
    const lowest = new ExponentialBackoff(settings, () => 0);
    expect([1, 2, 3, 4].map(() => lowest.next())).toEqual([50, 100, 200, 200]);
    const highest = new ExponentialBackoff(settings, () => 1);
    expect([1, 2, 3, 4].map(() => highest.next())).toEqual([150, 300, 600, 600]);
  });
});

describe('sendWithRetry', () => {
  const backoff = {
    initialIntervalMs: 1,
    maxIntervalMs: 4,
    multiplier: 2,
    randomizationFactor: 0,
    maxElapsedMs: 1000,
  };
  const run = <T>(
    send: () => Promise<T>,
    extra: Partial<Parameters<typeof sendWithRetry>[1]> = {},
  ) => sendWithRetry(send, { backoff, signal: new AbortController().signal, ...extra });

  it('retries retryable errors until the send succeeds', async () => {
    let calls = 0;
    const result = await run(async () => {
      if (++calls < 3) throw retryableError('reset');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up on a permanent error at once', async () => {
    let calls = 0;
    await expect(
      run(async () => {
        calls++;
        throw permanentError('HTTP 400');
      }),
    ).rejects.toMatchObject({ errorClass: 'permanent' });
    expect(calls).toBe(1);
  });

  it('waits what a throttled error asks for', async () => {
    const delays: number[] = [];
    let calls = 0;
    await run(
      async () => {
        if (++calls === 1) throw throttledError('HTTP 429', 30);
      },
      { onRetry: (_e, delay) => delays.push(delay) },
    );
    expect(delays).toEqual([30]);
  });

  it('stops once the next wait would pass the elapsed-time bound', async () => {
    let clock = 0;
    const err = await run(
      async () => {
        clock += 400;
        throw retryableError('down');
      },
      { now: () => clock },
    ).catch((e: ExportError) => e);
    expect(err).toMatchObject({ errorClass: 'retryable' });
    expect((err as ExportError).message).toMatch(/gave up after 3 attempt\(s\).*down/);
  });
});

describe('ByteQueue', () => {
  it('refuses what does not fit, and hands items to waiting consumers in order', async () => {
    const q = new ByteQueue<string>(10);
    const first = q.take();
    expect(
      q.offerAll([
        { item: 'a', bytes: 4 },
        { item: 'b', bytes: 4 },
      ]),
    ).toBe(true);
    expect(await first).toBe('a');
    expect(q.bytes).toBe(4);
    expect(q.offerAll([{ item: 'c', bytes: 7 }])).toBe(false);
    expect(q.offerAll([{ item: 'c', bytes: 6 }])).toBe(true);
    q.close();
    expect(q.offerAll([{ item: 'd', bytes: 1 }])).toBe(false);
    expect([await q.take(), await q.take(), await q.take()]).toEqual(['b', 'c', undefined]);
  });

  it('accepts one oversized offer when empty, so a big batch is not refused forever', () => {
    const q = new ByteQueue<string>(10);
    expect(
      q.offerAll([
        { item: 'big', bytes: 50 },
        { item: 'more', bytes: 5 },
      ]),
    ).toBe(true);
    expect(q.offerAll([{ item: 'x', bytes: 1 }])).toBe(false);
  });
});
