import { waitFor } from '../../test/support/wait';
import { PacedRunner } from './paced-runner';

describe('PacedRunner', () => {
  let afterRun: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await afterRun?.();
    afterRun = undefined;
  });

  it('never runs more than maxInFlight tasks at once, and skips what falls behind', async () => {
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const runner = new PacedRunner(
      { perSecond: 1000, unit: 1, maxInFlight: 2, maxBacklog: 3 },
      () => {
        running++;
        most = Math.max(most, running);
        return new Promise<void>((resolve) =>
          release.push(() => {
            running--;
            resolve();
          }),
        );
      },
    );
    runner.start();
    afterRun = async () => {
      const stopping = runner.shutdown();
      release.splice(0).forEach((r) => r());
      await stopping;
    };
    await waitFor(
      () => runner.skipped,
      (n) => n > 50,
      { what: 'tasks skipped while two block' },
    );
    expect(runner.started).toBe(2);
    expect(most).toBe(2);
    // Once the tasks end, the runner starts the backlog it kept at once.
    release.splice(0).forEach((r) => r());
    await waitFor(
      () => runner.started,
      (n) => n >= 4,
      { what: 'the backlog started' },
    );
    const stopping = runner.shutdown();
    for (;;) {
      const r = release.shift();
      if (!r) break;
      r();
    }
    await stopping;
    expect(most).toBe(2);
    const after = runner.started;
    await runner.shutdown();
    expect(runner.started).toBe(after);
  });

  it('shuts down before it starts', async () => {
    const runner = new PacedRunner({ perSecond: 1, unit: 1, maxInFlight: 1, maxBacklog: 1 }, () =>
      Promise.resolve(),
    );
    await runner.shutdown();
    expect(runner.started).toBe(0);
  });
});
