import { PartitionLog } from './partition-log';

describe('the messages of each partition applied to the store', () => {
  it('gives the store rows of the messages after a stream sequence, touching runs merged', () => {
    const log = new PartitionLog();
    log.add('n1', 3, 'http_events', 1, 10);
    log.add('n2', 4, 'http_events', 11, 20);
    log.add('n1', 7, 'http_events', 21, 30);
    log.add('n1', 9, 'conn_stats', 31, 35);
    log.add('n1', 12, 'http_events', 41, 50);
    expect(log.last('n1')).toBe(12);
    expect(log.span('n1', 0, 1000, 10)).toEqual({
      upTo: 12,
      runs: [
        [1, 10],
        [21, 35],
        [41, 50],
      ],
      rows: 35,
    });
    // Messages up to the cursor are not read again, whoever applied them.
    expect(log.span('n1', 7, 1000, 10)).toEqual({
      upTo: 12,
      runs: [
        [31, 35],
        [41, 50],
      ],
      rows: 15,
    });
    expect(log.span('n1', 12, 1000, 10)).toEqual({ upTo: 12, runs: [], rows: 0 });
    expect(log.span('n3', 0, 1000, 10)).toEqual({ upTo: 0, runs: [], rows: 0 });
  });

  it('stops before the message that would pass the row or run limit, and always moves on', () => {
    const log = new PartitionLog();
    log.add('n1', 1, 't', 1, 10);
    log.add('n1', 2, 't', 21, 30);
    log.add('n1', 5, 't', 41, 50);
    expect(log.span('n1', 0, 25, 10)).toEqual({
      upTo: 4,
      runs: [
        [1, 10],
        [21, 30],
      ],
      rows: 20,
    });
    expect(log.span('n1', 0, 100, 1)).toEqual({ upTo: 1, runs: [[1, 10]], rows: 10 });
    // One message larger than the limit is read whole: a run never stands still.
    expect(log.span('n1', 2, 5, 1)).toEqual({ upTo: 5, runs: [[41, 50]], rows: 10 });
  });

  it('moves past messages that added no rows, forgets evicted ones and dropped partitions', () => {
    const log = new PartitionLog();
    log.add('n1', 1, 't', 1, 10);
    log.add('n1', 2, 'u', 11, 20);
    log.add('n1', 3, 't', 21, 20);
    expect(log.span('n1', 2, 100, 10)).toEqual({ upTo: 3, runs: [], rows: 0 });
    log.evicted('t', 11);
    expect(log.span('n1', 0, 100, 10).runs).toEqual([[11, 20]]);
    log.drop('n1');
    expect(log.last('n1')).toBe(0);
    expect(log.span('n1', 0, 100, 10).runs).toEqual([]);
  });
});
