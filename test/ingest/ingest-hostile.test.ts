import {
  BatchSpec,
  EOS,
  FieldSpec,
  batchOf,
  dictionaryBatchMessage,
  fixedColumn,
  int64,
  int64Column,
  recordBatchMessage,
  schemaMessage,
  stream,
  utf8,
  utf8Column,
  utf8ColumnWithOffsets,
} from '../support/arrow-ipc';
import {
  TestGateway,
  getJson,
  ingest,
  postArrow,
  postJson,
  startTestGateway,
} from '../support/gateway';
import { metricValue } from '../support/metrics';
import { httpRows } from '../support/rows';

const T0 = BigInt(Date.now()) * 1_000_000n;
const text = (s: string) => new TextEncoder().encode(s);

/** One Arrow stream: a schema, an optional dictionary batch, one record batch. */
function arrowStream(fields: FieldSpec[], batch: BatchSpec, dictionary?: Uint8Array): Uint8Array {
  return stream(
    schemaMessage(fields),
    ...(dictionary ? [dictionary] : []),
    recordBatchMessage(batch),
    EOS,
  );
}

/** A batch that claims `length` rows while its buffers hold what `batch` laid out. */
function claiming(length: number, batch: BatchSpec): BatchSpec {
  return { ...batch, length, nodes: batch.nodes.map((n) => ({ ...n, length })) };
}

describe('ingest refuses lying input and keeps running', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
    await postJson(`${gw.url}/v1/tables`, {
      name: 'floats',
      columns: [
        { name: 'time_', type: 'TIME64NS' },
        { name: 'v', type: 'FLOAT64' },
        { name: 'n', type: 'INT64' },
      ],
    });
    await ingest(gw.url, 'http_events', httpRows(50, { seed: 7 }));
  });
  afterAll(() => gw.close());

  /** What the store holds: rows, and a digest of every column a lying batch could write into. */
  async function storeDigest(): Promise<unknown> {
    const conn = await gw.gateway.store.connect();
    try {
      const reader = await conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM http_events), (SELECT sum(hash(req_path || req_method || req_headers)) FROM http_events),
                (SELECT sum(latency) FROM http_events), (SELECT count(*) FROM floats)`,
      );
      return reader.getRows()[0]!.map(String);
    } finally {
      conn.closeSync();
    }
  }

  const sendArrow = (table: string, body: Uint8Array) => postArrow(gw.url, table, body);

  const rejected = (reason: string) =>
    metricValue(gw.gateway.metrics.registry, 'pxgate_ingest_rejected_batches_total', { reason });

  /** [what, table, body, status, reason counted, message]. */
  const lies: Array<[string, string, () => Uint8Array, number, string, string]> = [
    [
      'Utf8 offsets that go backwards (a SIGSEGV on the old decoder)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'req_path', type: utf8 }],
          batchOf(3, [utf8ColumnWithOffsets([0, 5, 2, 8], text('abcdefgh'))]),
        ),
      400,
      'malformed',
      'table "http_events", row 1, column "req_path": string offsets go backwards (5 to 2)',
    ],
    [
      'Utf8 offsets past the data buffer (other bytes of the body stored as the string)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'req_path', type: utf8 }],
          batchOf(2, [utf8ColumnWithOffsets([0, 4, 100000], text('abcdefgh'))]),
        ),
      400,
      'malformed',
      'table "http_events", row 1, column "req_path": the string ends at offset 100000, past the 8-byte data buffer',
    ],
    [
      'a batch length larger than its buffers (the gateway memory after them stored as latency)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'latency', type: int64 }],
          claiming(8000, batchOf(1, [int64Column([42])])),
        ),
      400,
      'malformed',
      'table "http_events", column "latency": the values buffer has 8 bytes for 8000 values of 8 bytes',
    ],
    [
      'a batch length of 1,500,000 over one value (a SIGSEGV on the old decoder)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'latency', type: int64 }],
          claiming(1_500_000, batchOf(1, [int64Column([42])])),
        ),
      400,
      'malformed',
      'column "latency": the values buffer has 8 bytes for 1500000 values of 8 bytes',
    ],
    [
      'a dictionary index out of range (a 500 on the old decoder)',
      'http_events',
      () =>
        arrowStream(
          [
            {
              name: 'req_method',
              type: utf8,
              dictionary: { id: 1, indexType: { bitWidth: 8, signed: true } },
            },
          ],
          batchOf(2, [fixedColumn(2, new Uint8Array([0, 100]))]),
          dictionaryBatchMessage(1, batchOf(2, [utf8Column(['GET', 'POST'])])),
        ),
      400,
      'malformed',
      'table "http_events", row 1, column "req_method": dictionary index 100 is out of range (the dictionary has 2 values)',
    ],
    [
      'invalid UTF-8 in a dictionary value',
      'http_events',
      () =>
        arrowStream(
          [
            {
              name: 'req_method',
              type: utf8,
              dictionary: { id: 1, indexType: { bitWidth: 8, signed: true } },
            },
          ],
          batchOf(1, [fixedColumn(1, new Uint8Array([0]))]),
          dictionaryBatchMessage(1, batchOf(2, [utf8Column(['GET', new Uint8Array([0xc3])])])),
        ),
      400,
      'malformed',
      'table "http_events", column "req_method": dictionary 1, value 1: the string is not valid UTF-8',
    ],
    [
      'invalid UTF-8 in a short string (a 500 on the old decoder)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'req_path', type: utf8 }],
          batchOf(2, [utf8Column(['/ok', new Uint8Array([0x2f, 0xff, 0xfe])])]),
        ),
      400,
      'malformed',
      'table "http_events", row 1, column "req_path": the string is not valid UTF-8',
    ],
    [
      'invalid UTF-8 in a long string (stored as null by the old decoder)',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'req_path', type: utf8 }],
          batchOf(1, [utf8Column([new Uint8Array([...text('/a/long/path/'), 0xff, 0xfe, 0x41])])]),
        ),
      400,
      'malformed',
      'table "http_events", row 0, column "req_path": the string is not valid UTF-8',
    ],
    [
      'a string that starts inside a character of valid UTF-8',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'req_path', type: utf8 }],
          batchOf(2, [utf8ColumnWithOffsets([0, 1, 2], text('é'))]),
        ),
      400,
      'malformed',
      'row 0, column "req_path": the string is not valid UTF-8',
    ],
    [
      'a buffer that lies outside the body',
      'http_events',
      () => {
        const b = batchOf(1, [int64Column([42])]);
        return arrowStream([{ name: 'latency', type: int64 }], {
          ...b,
          buffers: [b.buffers[0]!, { offset: 0, length: 4096 }],
        });
      },
      400,
      'malformed',
      'record batch 0: buffer 1 (offset 0, length 4096) lies outside the 8-byte body',
    ],
    [
      'a body length past the end of the stream',
      'http_events',
      () =>
        stream(
          schemaMessage([{ name: 'latency', type: int64 }]),
          recordBatchMessage({ ...batchOf(1, [int64Column([42])]), bodyLength: 1 << 20 }),
        ),
      400,
      'malformed',
      'body is not a valid Arrow IPC stream: message 1 (at byte',
    ],
    [
      'a null bitmap smaller than its rows',
      'http_events',
      () => {
        const b = batchOf(20, [int64Column(Array.from({ length: 20 }, () => 1))]);
        return arrowStream([{ name: 'latency', type: int64 }], {
          ...b,
          nodes: [{ length: 20, nullCount: 3 }],
        });
      },
      400,
      'malformed',
      'column "latency": the validity bitmap has 0 bytes for 20 rows (needs 3)',
    ],
    [
      'a compressed body',
      'http_events',
      () =>
        arrowStream([{ name: 'latency', type: int64 }], {
          ...batchOf(1, [int64Column([42])]),
          compression: 1,
        }),
      415,
      'unsupported',
      'compressed bodies (LZ4, ZSTD) are not supported',
    ],
    [
      'a type the store does not keep',
      'http_events',
      () =>
        arrowStream(
          [{ name: 'latency', type: { kind: 'other', typeId: 7 } }],
          batchOf(1, [int64Column([42])]),
        ),
      400,
      'invalid',
      'table "http_events", column "latency": Arrow type Decimal cannot be stored in a INT64 column',
    ],
    [
      'a stream of 513 one-row record batches (each costs fixed work: 93,622 held the event loop for 28 s)',
      'http_events',
      () => {
        const batch = recordBatchMessage(batchOf(1, [int64Column([T0])]));
        const batches = Array.from({ length: 513 }, () => batch);
        return stream(schemaMessage([{ name: 'time_', type: int64 }]), ...batches, EOS);
      },
      413,
      'too_large',
      'table "http_events": the stream holds more than 512 messages; send fewer, larger record batches',
    ],
  ];

  it.each(lies)(
    'refuses %s with a 4xx naming the place, storing nothing',
    async (_what, table, body, status, reason, message) => {
      const before = await storeDigest();
      const counted = await rejected(reason);
      const res = await sendArrow(table, body());
      expect(res.status).toBe(status);
      expect(res.body.error?.message).toContain(message);
      expect((await getJson(`${gw.url}/healthz`)).status).toBe(200);
      expect(await storeDigest()).toEqual(before);
      expect(await rejected(reason)).toBe(counted + 1);
    },
  );

  it('stores Float16 by value: 1.0 stays 1.0', async () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x7c00]);
    const res = await sendArrow(
      'floats',
      arrowStream(
        [
          { name: 'time_', type: int64 },
          { name: 'v', type: { kind: 'float', precision: 'half' } },
        ],
        batchOf(4, [
          int64Column([T0, T0 + 1n, T0 + 2n, T0 + 3n]),
          fixedColumn(4, new Uint8Array(halves.buffer)),
        ]),
      ),
    );
    expect(res.status).toBe(200);
    expect(await column('floats', 'v', T0, 4)).toEqual([1, -2, 0.333251953125, Infinity]);
  });

  it('stores every integer and float width by value', async () => {
    const start = T0 + 1000n;
    const cases: Array<[FieldSpec['type'], Uint8Array, number[]]> = [
      [
        { kind: 'int', bitWidth: 8, signed: true },
        new Uint8Array(new Int8Array([-128, 127]).buffer),
        [-128, 127],
      ],
      [{ kind: 'int', bitWidth: 8, signed: false }, new Uint8Array([255, 1]), [255, 1]],
      [
        { kind: 'int', bitWidth: 16, signed: true },
        new Uint8Array(new Int16Array([-32768, 5]).buffer),
        [-32768, 5],
      ],
      [
        { kind: 'int', bitWidth: 16, signed: false },
        new Uint8Array(new Uint16Array([65535, 5]).buffer),
        [65535, 5],
      ],
      [
        { kind: 'int', bitWidth: 32, signed: true },
        new Uint8Array(new Int32Array([-2147483648, 5]).buffer),
        [-2147483648, 5],
      ],
      [
        { kind: 'int', bitWidth: 32, signed: false },
        new Uint8Array(new Uint32Array([4294967295, 5]).buffer),
        [4294967295, 5],
      ],
      [
        { kind: 'int', bitWidth: 64, signed: false },
        new Uint8Array(new BigUint64Array([2n ** 53n, 5n]).buffer),
        [2 ** 53, 5],
      ],
    ];
    for (const [i, [type, data, want]] of cases.entries()) {
      const t = start + BigInt(10 * i);
      const res = await sendArrow(
        'floats',
        arrowStream(
          [
            { name: 'time_', type: int64 },
            { name: 'n', type },
            { name: 'v', type },
          ],
          batchOf(2, [int64Column([t, t + 1n]), fixedColumn(2, data), fixedColumn(2, data)]),
        ),
      );
      expect(res.status).toBe(200);
      expect(await column('floats', 'n', t, 2)).toEqual(want);
      expect(await column('floats', 'v', t, 2)).toEqual(want);
    }
    const t = start + 500n;
    await sendArrow(
      'floats',
      arrowStream(
        [
          { name: 'time_', type: int64 },
          { name: 'v', type: { kind: 'float', precision: 'single' } },
        ],
        batchOf(2, [
          int64Column([t, t + 1n]),
          fixedColumn(2, new Uint8Array(new Float32Array([0.5, -1e30]).buffer)),
        ]),
      ),
    );
    expect(await column('floats', 'v', t, 2)).toEqual([0.5, Math.fround(-1e30)]);
  });

  it('refuses a Uint64 beyond the INT64 range, naming the row', async () => {
    const res = await sendArrow(
      'floats',
      arrowStream(
        [
          { name: 'time_', type: int64 },
          { name: 'n', type: { kind: 'int', bitWidth: 64, signed: false } },
        ],
        batchOf(2, [
          int64Column([T0, T0]),
          fixedColumn(2, new Uint8Array(new BigUint64Array([1n, 2n ** 63n]).buffer)),
        ]),
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toBe(
      'table "floats", row 1, column "n": value 9223372036854775808 is out of the INT64 range',
    );
  });

  /** Values of one column of a table from time_ t on, in time order. */
  async function column(table: string, name: string, t: bigint, n: number): Promise<number[]> {
    const conn = await gw.gateway.store.connect();
    try {
      const reader = await conn.runAndReadAll(
        `SELECT ${name} FROM ${table} WHERE time_ >= ${t} ORDER BY time_ LIMIT ${n}`,
      );
      return reader.getRows().map((r) => Number(r[0]));
    } finally {
      conn.closeSync();
    }
  }
});

describe('JSON ingest answers every client fault with a counted 4xx', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ ingest: { maxBodyMb: 1 } });
  });
  afterAll(() => gw.close());

  const rejected = (reason: string) =>
    metricValue(gw.gateway.metrics.registry, 'pxgate_ingest_rejected_batches_total', { reason });
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const envelope = (rows: string) => `{"table":"http_events","rows":${rows}}`;

  const faults: Array<[string, string | Buffer, number, string, string]> = [
    [
      'rows nested 100,000 deep (a 500 on the old decoder)',
      envelope(deep(100_000)),
      400,
      'invalid',
      'table "http_events", row 0: expected an object of column values, got [[[[...]]]]',
    ],
    [
      'a value nested 100,000 deep (a 500 on the old decoder)',
      envelope(`[{"req_path":${deep(100_000)}}]`),
      400,
      'invalid',
      'row 0, column "req_path": expected STRING (a JSON string), got [[[[...]]]]',
    ],
    [
      'an object nested 100,000 deep (a 500 on the old decoder)',
      envelope(`[{"req_path":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]`),
      400,
      'invalid',
      'column "req_path": expected STRING (a JSON string), got {"a":{"a":{"a":{...}}}}',
    ],
    [
      'a string with a lone surrogate (stored as U+FFFD by the old decoder)',
      envelope('[{"req_path":"/a\\ud800b"}]'),
      400,
      'invalid',
      'row 0, column "req_path": the string has a lone UTF-16 surrogate',
    ],
    [
      'a body that is not UTF-8 (stored as U+FFFD by the old decoder)',
      Buffer.concat([
        Buffer.from(envelope('[{"req_path":"/')),
        Buffer.from([0xff]),
        Buffer.from('"}]}'),
      ]),
      400,
      'malformed',
      'body is not valid UTF-8',
    ],
    [
      'a table name of 100,000 characters (echoed whole by the old decoder)',
      `{"table":"${'x'.repeat(100_000)}","rows":[]}`,
      400,
      'invalid',
      `unknown table "${'x'.repeat(56)}...; known tables: http_events`,
    ],
  ];

  it.each(faults)('refuses %s', async (_what, body, status, reason, message) => {
    const counted = await rejected(reason);
    const res = await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
    expect(await rejected(reason)).toBe(counted + 1);
  });

  it('counts bodies refused while they are read: too large, a broken gzip stream, an unknown encoding', async () => {
    const send = (headers: Record<string, string>, body: Buffer) =>
      fetch(`${gw.url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then((r) => r.status);
    const before = await Promise.all(['too_large', 'malformed', 'unsupported'].map(rejected));
    expect(await send({}, Buffer.alloc(2 * 1024 * 1024, 0x20))).toBe(413);
    expect(await send({ 'content-encoding': 'gzip' }, Buffer.from('not gzip at all'))).toBe(400);
    expect(await send({ 'content-encoding': 'br-nope' }, Buffer.from('{}'))).toBe(415);
    const after = await Promise.all(['too_large', 'malformed', 'unsupported'].map(rejected));
    expect(after).toEqual(before.map((n) => n + 1));
  });
});
