import { Pacer } from './pacer';

describe('Pacer', () => {
  it('makes units due in proportion to the time elapsed, whatever the number of calls', () => {
    const p = new Pacer(20, 1000, 100);
    expect(p.due(1000)).toBe(0);
    expect(p.due(1049)).toBe(0);
    expect(p.due(1050)).toBe(1);
    expect(p.due(1050)).toBe(1);
    expect(p.due(2000)).toBe(20);
    p.take(15);
    expect(p.due(2000)).toBe(5);
    expect(p.due(2500)).toBe(15);
    expect(p.started).toBe(15);
  });

  it('does not drift when the loop wakes up late: the late units are due at once', () => {
    const p = new Pacer(10, 0, 1000);
    let started = 0;
    // A loop that wakes every 130 ms instead of every 100 ms still starts 10 units a second.
    for (let t = 0; t <= 10_000; t += 130) {
      const n = p.due(t);
      p.take(n);
      started += n;
    }
    expect(started).toBe(Math.floor((9880 * 10) / 1000));
    expect(p.skipped).toBe(0);
  });

  it('skips and counts what falls more than the backlog behind', () => {
    const p = new Pacer(100, 0, 5);
    expect(p.due(1000)).toBe(5);
    expect(p.skipped).toBe(95);
    p.take(2);
    expect(p.due(1000)).toBe(3);
    expect(p.skipped).toBe(95);
    expect(p.due(1100)).toBe(5);
    expect(p.skipped).toBe(103);
    expect(p.started + p.skipped + p.due(1100)).toBe(110);
  });

  it('counts nothing due before its start', () => {
    const p = new Pacer(1000, 5000, 10);
    expect(p.due(0)).toBe(0);
    expect(p.skipped).toBe(0);
  });

  it('refuses a rate or backlog that cannot pace anything', () => {
    expect(() => new Pacer(0, 0, 1)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN, 0, 1)).toThrow(RangeError);
    expect(() => new Pacer(1, 0, 0)).toThrow(RangeError);
  });
});
