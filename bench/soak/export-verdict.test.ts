import { exportVerdict } from './export-verdict';

describe("the soak's export verdict", () => {
  const sent = { '200': 700, '404': 200, '500': 100 };

  it('holds when Prometheus counted every row once', () => {
    expect(
      exportVerdict({ sentByStatus: sent, exportedByStatus: sent, evictedUnexported: 0 }),
    ).toEqual([]);
  });

  it('holds when the rows missing are no more than the gateway counted as evicted unexported', () => {
    const exported = { '200': 650, '404': 190, '500': 100 };
    expect(
      exportVerdict({ sentByStatus: sent, exportedByStatus: exported, evictedUnexported: 60 }),
    ).toEqual([]);
    expect(
      exportVerdict({ sentByStatus: sent, exportedByStatus: exported, evictedUnexported: 500 }),
    ).toEqual([]);
  });

  it('fails on rows lost beyond what was counted, naming both numbers', () => {
    const exported = { '200': 650, '404': 190, '500': 100 };
    expect(
      exportVerdict({ sentByStatus: sent, exportedByStatus: exported, evictedUnexported: 59 }),
    ).toEqual([
      '60 rows not counted by Prometheus, of which only 59 were counted as evicted before export (pxgate_store_evicted_unexported_rows_total)',
    ]);
  });

  it('fails on a status counted more often than it was sent, even when another one is short', () => {
    const exported = { '200': 701, '404': 150, '500': 100 };
    expect(
      exportVerdict({ sentByStatus: sent, exportedByStatus: exported, evictedUnexported: 1000 }),
    ).toEqual(['status 200 counted 701 times for 700 rows sent']);
  });

  it('fails on a status that was never sent', () => {
    expect(
      exportVerdict({
        sentByStatus: sent,
        exportedByStatus: { ...sent, '302': 1 },
        evictedUnexported: 0,
      }),
    ).toEqual(['status 302 counted 1 times for 0 rows sent']);
  });
});
