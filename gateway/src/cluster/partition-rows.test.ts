import { PartitionRows } from './partition-rows';

describe('rows per partition', () => {
  it('merges runs that touch and keeps partitions and tables apart', () => {
    const rows = new PartitionRows();
    rows.add('n1', 'http_events', 1, 10);
    rows.add('n1', 'http_events', 11, 20);
    rows.add('n2', 'http_events', 21, 30);
    rows.add('n1', 'http_events', 31, 40);
    rows.add('n1', 'conn_stats', 1, 5);
    expect(rows.take('n1')).toEqual(
      new Map([
        [
          'http_events',
          [
            [1, 20],
            [31, 40],
          ],
        ],
        ['conn_stats', [[1, 5]]],
      ]),
    );
    expect(rows.take('n1')).toEqual(new Map());
    expect(rows.take('n2').get('http_events')).toEqual([[21, 30]]);
  });

  it('forgets runs the store evicted, keeping those it still holds a part of', () => {
    const rows = new PartitionRows();
    rows.add('n1', 't', 1, 10);
    rows.add('n2', 't', 11, 20);
    rows.add('n1', 't', 21, 30);
    rows.evicted('t', 25);
    expect(rows.size()).toBe(1);
    expect(rows.take('n1').get('t')).toEqual([[21, 30]]);
  });

  it('ignores an empty append', () => {
    const rows = new PartitionRows();
    rows.add('n1', 't', 5, 4);
    expect(rows.size()).toBe(0);
  });
});
