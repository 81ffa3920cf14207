import { Row } from '../transport/row';
import { NewProcessGate } from './new-process-gate';
import { Upid, upidHalves } from './upid';

const UNREADABLE = 666n;

/**
 * A gate over a set of described processes: `introduce` describes the processes in `running`
 * when told to (`finish`), and every step lands in one log, so that order can be checked.
 */
function world(maxHeldRows = 100) {
  const described = new Set<string>();
  const running = new Set<string>();
  const log: string[] = [];
  const pending: (() => void)[] = [];
  const errors: unknown[] = [];
  const key = (pid: number, startTicks: bigint) => `${pid}:${startTicks}`;
  const gate = new NewProcessGate({
    knows: (pid, startTicks) => described.has(key(pid, startTicks)),
    introduce: (upids: readonly Upid[]) =>
      new Promise<void>((resolve, reject) => {
        log.push(`introduce ${upids.map((u) => key(u.pid, u.startTicks)).join(',')}`);
        pending.push(() => {
          if (upids.some((u) => u.startTicks === UNREADABLE)) {
            reject(new Error('cannot read /proc'));
            return;
          }
          for (const u of upids) {
            const k = key(u.pid, u.startTicks);
            if (!running.has(k)) continue;
            described.add(k);
            log.push(`metadata ${k}`);
          }
          resolve();
        });
      }),
    pass: (table, row) => log.push(`${table} ${String(row.n)}`),
    failed: (err) => errors.push(err),
    maxHeldRows,
  });
  const finish = async () => {
    await new Promise((r) => setImmediate(r));
    for (const f of pending.splice(0)) f();
    await gate.settled();
  };
  const row = (pid: number, n: number, startTicks = 7n): Row => ({
    upid: upidHalves({ asid: 3, pid, startTicks }),
    n,
  });
  return { gate, described, running, log, errors, finish, row };
}

describe('the new-process gate', () => {
  it("holds a new process's rows until its metadata is queued, then passes them in order", async () => {
    const w = world();
    w.running.add('10:7');
    w.gate.add('http_events', w.row(10, 1));
    w.gate.add('conn_stats', w.row(10, 2));
    expect(w.log).toEqual([]);
    expect(w.gate.heldRows()).toBe(2);
    await w.finish();
    expect(w.log).toEqual(['introduce 10:7', 'metadata 10:7', 'http_events 1', 'conn_stats 2']);
    expect(w.gate.heldRows()).toBe(0);
  });

  it('introduces the new processes of one turn of the event loop together', async () => {
    const w = world();
    w.running.add('10:7').add('11:7');
    w.gate.add('http_events', w.row(10, 1));
    w.gate.add('http_events', w.row(11, 2));
    w.gate.add('http_events', w.row(10, 3));
    await w.finish();
    expect(w.log).toEqual([
      'introduce 10:7,11:7',
      'metadata 10:7',
      'metadata 11:7',
      'http_events 1',
      'http_events 3',
      'http_events 2',
    ]);
  });

  it('passes rows of a described process, and rows without a upid, at once', () => {
    const w = world();
    w.described.add('10:7');
    w.gate.add('http_events', w.row(10, 1));
    w.gate.add('network_stats', { pod_id: '', n: 2 });
    expect(w.log).toEqual(['http_events 1', 'network_stats 2']);
  });

  it('tells a pid reused by a new process from the one described', async () => {
    const w = world();
    w.described.add('10:7');
    w.running.add('10:9');
    w.gate.add('http_events', w.row(10, 1, 9n));
    expect(w.log).toEqual([]);
    await w.finish();
    expect(w.log).toEqual(['introduce 10:9', 'metadata 10:9', 'http_events 1']);
  });

  it('lets the rows of a process that is gone pass, and does not try it again', async () => {
    const w = world();
    w.gate.add('http_events', w.row(10, 1));
    await w.finish();
    w.gate.add('http_events', w.row(10, 2));
    await w.finish();
    expect(w.log).toEqual(['introduce 10:7', 'http_events 1', 'http_events 2']);
  });

  it('passes the rows when describing fails, and says so', async () => {
    const w = world();
    w.gate.add('http_events', w.row(10, 1, UNREADABLE));
    await w.finish();
    expect(w.log).toEqual(['introduce 10:666', 'http_events 1']);
    expect(w.errors).toEqual([new Error('cannot read /proc')]);
  });

  it('holds no more rows than its bound: past it, rows pass at once', async () => {
    const w = world(2);
    w.running.add('10:7').add('11:7');
    w.gate.add('http_events', w.row(10, 1));
    w.gate.add('http_events', w.row(10, 2));
    w.gate.add('http_events', w.row(10, 3));
    w.gate.add('http_events', w.row(11, 4));
    expect(w.log).toEqual(['http_events 3', 'http_events 4']);
    expect(w.gate.heldRows()).toBe(2);
    await w.finish();
    expect(w.log.slice(2)).toEqual([
      'introduce 10:7',
      'metadata 10:7',
      'http_events 1',
      'http_events 2',
    ]);
  });

  it('settles with nothing held', async () => {
    const w = world();
    await w.gate.settled();
    expect(w.gate.heldRows()).toBe(0);
  });
});
