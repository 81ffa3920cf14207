import { RunSlots } from './run-slots';

describe('RunSlots', () => {
  it('runs at most `concurrent` at once, queues in order, and refuses past the queue', async () => {
    const slots = new RunSlots(2, 1);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const task = (i: number) =>
      slots.use(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            release[i] = () => resolve(i);
          }),
      );
    const runs = [task(0), task(1), task(2)];
    await expect(task(3)).rejects.toMatchObject({ kind: 'busy' });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    release[0]!();
    await expect(runs[0]).resolves.toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    release[1]!();
    release[2]!();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    await expect(slots.use(async () => 'free')).resolves.toBe('free');
  });

  it('takes a waiting run out of the queue with a 503 when its signal aborts', async () => {
    const slots = new RunSlots(1, 2);
    let release: () => void = () => undefined;
    const first = slots.use(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const gaveUp = slots.use(async () => 'ran', controller.signal);
    const after = slots.use(async () => 'next');
    controller.abort();
    await expect(gaveUp).rejects.toMatchObject({
      kind: 'busy',
      message: expect.stringMatching(/^the gateway was busy with other scripts/),
    });
    release();
    await first;
    await expect(after).resolves.toBe('next');
    await expect(slots.use(async () => 'free', AbortSignal.abort())).resolves.toBe('free');
  });
});
