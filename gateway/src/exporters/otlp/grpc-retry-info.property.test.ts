import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import {
  debugInfoDetail,
  encodeRpcStatus,
  retryInfoDetail,
} from '../../../../test/support/rpc-status-schema';
import { MAX_RETRY_INFO_DELAY_MS, retryInfoDelayMs } from './grpc-retry-info';

/** What the decoder may answer for any bytes: nothing, or a delay within the bound. */
function isBoundedDelay(delay: number | undefined): boolean {
  return (
    delay === undefined ||
    (Number.isInteger(delay) && delay >= 0 && delay <= MAX_RETRY_INFO_DELAY_MS)
  );
}

describe('the RetryInfo decoder on random and lying bytes', () => {
  it('never throws and answers nothing or a bounded delay for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(isBoundedDelay(retryInfoDelayMs(bytes))).toBe(true);
      }),
      fuzzParams(500, { seed: 18 }),
    );
  });

  it('never throws on real trailers cut short, with bytes flipped or lengths that lie', () => {
    const trailer = fc
      .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.boolean(), fc.string())
      .map(([delay, debugFirst, message]) =>
        encodeRpcStatus(14, message, [
          ...(debugFirst ? [debugInfoDetail(message)] : []),
          retryInfoDetail(delay),
        ]),
      );
    fc.assert(
      fc.property(
        trailer,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (bytes, cutAt, flipAt, value) => {
          const cut = bytes.subarray(0, cutAt % (bytes.length + 1));
          const flipped = Buffer.from(bytes);
          flipped[flipAt % flipped.length] = value;
          expect(isBoundedDelay(retryInfoDelayMs(cut))).toBe(true);
          expect(isBoundedDelay(retryInfoDelayMs(flipped))).toBe(true);
        },
      ),
      fuzzParams(500, { seed: 19 }),
    );
  });

  it('reads back every delay a real encoder writes, to the millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RETRY_INFO_DELAY_MS }), (delay) => {
        expect(retryInfoDelayMs(encodeRpcStatus(8, 'slow down', [retryInfoDetail(delay)]))).toBe(
          delay,
        );
      }),
      fuzzParams(300, { seed: 20 }),
    );
  });
});
