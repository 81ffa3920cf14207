import { PendingRequests } from './pending-requests';

const at = (startTs: number) => ({ startTs });

describe('PendingRequests', () => {
  it('holds at most its limit, dropping and counting the oldest', () => {
    const p = new PendingRequests<{ startTs: number }>(2);
    [1, 2, 3].forEach((t) => p.add(at(t)));
    expect([p.length, p.unmatched, p.takeOldest()?.startTs]).toEqual([2, 1, 2]);
  });

  it('takes the first that matches, or counts a response without a request', () => {
    const p = new PendingRequests<{ startTs: number }>(8);
    [1, 2, 3].forEach((t) => p.add(at(t)));
    expect(p.takeFirst((m) => m.startTs > 1)?.startTs).toBe(2);
    expect(p.takeFirst((m) => m.startTs > 5)).toBeUndefined();
    expect([p.length, p.unmatched]).toEqual([2, 1]);
  });

  it('after a loss takes the latest sent before the response, dropping the older ones', () => {
    const p = new PendingRequests<{ startTs: number }>(8);
    [10, 20, 30].forEach((t) => p.add(at(t)));
    expect(p.takeLatestBefore(25)?.startTs).toBe(20);
    expect([p.length, p.unmatched]).toEqual([1, 1]);
    expect(p.takeLatestBefore(5)).toBeUndefined();
    expect(p.unmatched).toBe(2);
  });

  it('expires the requests sent before a time, and drops all at close, counting them', () => {
    const p = new PendingRequests<{ startTs: number }>(8);
    [10, 20, 30].forEach((t) => p.add(at(t)));
    p.expireBefore(20);
    expect([p.length, p.unmatched]).toEqual([2, 1]);
    p.dropAll();
    expect([p.length, p.unmatched, p.takeOldest(), p.unmatched]).toEqual([0, 3, undefined, 4]);
  });
});
