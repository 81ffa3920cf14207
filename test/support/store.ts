import { StoreOptions } from '../../gateway/src/store/table-store';

/** Store options small enough for tests (64 MiB, 1024-row segments, 4 custom tables), `over` on top. */
export function testStoreOptions(over: Partial<StoreOptions> = {}): StoreOptions {
  return {
    limitMb: 64,
    httpEventsShare: 0.4,
    segmentRows: 1024,
    maxCustomTables: 4,
    tables: {},
    ...over,
  };
}
