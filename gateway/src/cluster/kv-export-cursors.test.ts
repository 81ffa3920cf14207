import { jetstream } from '@nats-io/jetstream';
import { KV, Kvm } from '@nats-io/kv';
import { NatsConnection, connect } from '@nats-io/transport-node';
import { silentLogger } from '../../../shared/common/logger';
import { RunningNats, natsUnavailable, startNats } from '../../../test/support/nats';
import { describeIfAvailable } from '../../../test/support/system';
import { CumulativeState } from '../jobs/otel/cumulative-state';
import { ExportFenceError, KvExportCursors, exportKey } from './kv-export-cursors';

const fresh = () => new CumulativeState(100, 60_000);

describeIfAvailable('export cursors in the cluster\u2019s KV bucket', natsUnavailable(), () => {
  let nats: RunningNats;
  let nc: NatsConnection;
  let kv: KV;
  let bucket = 0;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  });
  beforeEach(async () => {
    kv = await new Kvm(jetstream(nc)).create(`cursors-${++bucket}`, { history: 1 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.close();
  });

  it('gives the new owner of a partition the cursor and totals its old owner saved', async () => {
    const old = new KvExportCursors(kv, 'node-1', silentLogger());
    expect(await old.load('http-metrics', 100, 60_000)).toEqual(new Map());
    await old.save('http-metrics', 'remote-write', 17, fresh());
    await old.save('http-metrics', 'remote-write', 42, fresh());
    await old.save('http-metrics', 'otlp', 40, fresh());
    // Another partition's and another job's entries are not this one's.
    await new KvExportCursors(kv, 'node-2', silentLogger()).save(
      'http-metrics',
      'otlp',
      9,
      fresh(),
    );
    await old.save('http-spans', 'otlp', 8, fresh());

    const loaded = await new KvExportCursors(kv, 'node-1', silentLogger()).load(
      'http-metrics',
      100,
      60_000,
    );
    expect(new Map([...loaded].map(([sink, s]) => [sink, s.cursor]))).toEqual(
      new Map([
        ['remote-write', 42],
        ['otlp', 40],
      ]),
    );
  });

  it('refuses the write of a stale owner once the new owner has written, and says so', async () => {
    const old = new KvExportCursors(kv, 'node-1', silentLogger());
    await old.load('http-metrics', 100, 60_000);
    await old.save('http-metrics', 'remote-write', 10, fresh());

    const fenced: ExportFenceError[] = [];
    const stale = new KvExportCursors(kv, 'node-1', silentLogger(), (err) => fenced.push(err));
    await stale.load('http-metrics', 100, 60_000);
    const owner = new KvExportCursors(kv, 'node-1', silentLogger());
    await owner.load('http-metrics', 100, 60_000);
    await owner.save('http-metrics', 'remote-write', 25, fresh());

    // `stale` read revision 1 and `old` holds revision 1 too: both are behind the owner's write.
    await expect(stale.save('http-metrics', 'remote-write', 12, fresh())).rejects.toThrow(
      ExportFenceError,
    );
    await expect(old.save('http-metrics', 'remote-write', 11, fresh())).rejects.toThrow(
      ExportFenceError,
    );
    expect(fenced).toHaveLength(1);
    const entry = await kv.get(exportKey('http-metrics', 'remote-write', 'node-1'));
    expect(JSON.parse(entry!.string()).cursor).toBe(25);
    // The owner goes on writing.
    await owner.save('http-metrics', 'remote-write', 30, fresh());
    const after = await new KvExportCursors(kv, 'node-1', silentLogger()).load(
      'http-metrics',
      100,
      60_000,
    );
    expect(after.get('remote-write')?.cursor).toBe(30);
  });

  it('refuses to create an entry another gateway created since it loaded', async () => {
    const a = new KvExportCursors(kv, 'node-1', silentLogger());
    const b = new KvExportCursors(kv, 'node-1', silentLogger());
    await a.load('j', 100, 60_000);
    await b.load('j', 100, 60_000);
    await a.save('j', 's', 5, fresh());
    await expect(b.save('j', 's', 6, fresh())).rejects.toThrow(ExportFenceError);
  });

  it('ignores an entry that is not one, and starts that sink afresh', async () => {
    await kv.put(exportKey('j', 's', 'node-1'), '{"version":1,"job":"j","sink":"s"}');
    const cursors = new KvExportCursors(kv, 'node-1', silentLogger());
    expect(await cursors.load('j', 100, 60_000)).toEqual(new Map());
    // The fence still holds: its revision was read, so this gateway may write over it.
    await cursors.save('j', 's', 3, fresh());
    expect((await cursors.load('j', 100, 60_000)).get('s')?.cursor).toBe(3);
  });
});
