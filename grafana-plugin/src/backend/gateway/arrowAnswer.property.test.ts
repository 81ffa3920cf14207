import fc from 'fast-check';

import { arrowAnswer } from '../../../../gateway/src/api/query-arrow';
import { writeIpcStream } from '../../../../shared/common/arrow-ipc-writer';
import { columnsFromRows } from '../../../../gateway/src/pxl/execute/columnar';
import {
  Cell,
  ResultColumn,
  ResultTable,
  toJsonTable,
} from '../../../../gateway/src/pxl/execute/result';
import { fuzzParams } from '../../../../test/support/fuzz';
import { columnCells } from '../../data/columnCells';
import { tableToFrame } from '../../data/frames';
import { GatewayTable } from '../../types/gateway';
import { encodeFrame } from '../frames/arrow';
import { encodeTableFrame } from '../frames/tableFrame';
import { ArrowAnswerError, readArrowAnswer } from './arrowAnswer';

type DataType = ResultColumn['type'];

const INT64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 53n) - 2n, max: 2n ** 53n + 2n }),
  fc.constantFrom(0n, -1n, 1_800_000_000_000_000_000n),
);
const TEXT = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }));
const QUANTILES = fc
  .record({ p50: fc.double(), p90: fc.integer(), p99: fc.oneof(fc.double(), fc.string()) })
  .map((q) => JSON.stringify(q));

/** A cell of each type, as the engine's rows hold it; null now and then. */
function cellOf(type: DataType, semanticType: string): fc.Arbitrary<Cell> {
  const value: fc.Arbitrary<Cell> = (() => {
    switch (type) {
      case 'INT64':
      case 'TIME64NS':
        return INT64;
      case 'FLOAT64':
        return fc.double();
      case 'BOOLEAN':
        return fc.boolean();
      case 'STRING':
        return semanticType === 'ST_QUANTILES' ? fc.oneof(QUANTILES, TEXT) : TEXT;
      case 'UINT128':
        return fc.tuple(fc.nat(), fc.nat(), fc.nat()).map((p) => p.join(':'));
    }
  })();
  return fc.option(value, { freq: 5, nil: null });
}

const SEMANTIC: Record<DataType, string[]> = {
  INT64: ['ST_NONE', 'ST_DURATION_NS', 'ST_BYTES', 'ST_THROUGHPUT_PER_NS'],
  FLOAT64: ['ST_NONE', 'ST_PERCENT', 'ST_THROUGHPUT_BYTES_PER_NS'],
  TIME64NS: ['ST_NONE'],
  BOOLEAN: ['ST_NONE'],
  STRING: ['ST_NONE', 'ST_QUANTILES', 'ST_SERVICE_NAME'],
  UINT128: ['ST_UPID', 'ST_NONE'],
};

const column = fc
  .constantFrom<DataType>('INT64', 'TIME64NS', 'FLOAT64', 'BOOLEAN', 'STRING', 'UINT128')
  .chain((type) =>
    fc.constantFrom(...SEMANTIC[type]).map((semanticType) => ({ type, semanticType })),
  );

/** A result table of a few random columns and rows, as the engine gives it. */
const table: fc.Arbitrary<ResultTable> = fc
  .tuple(fc.uniqueArray(column, { minLength: 1, maxLength: 5 }), fc.nat({ max: 40 }))
  .chain(([columns, rows]) =>
    fc
      .array(fc.tuple(...columns.map((c) => cellOf(c.type, c.semanticType))), {
        minLength: rows,
        maxLength: rows,
      })
      .map((cells) => ({
        name: 'random',
        columns: columns.map((c, i) => ({
          name: `c${i}`,
          type: c.type,
          semanticType: c.semanticType as ResultColumn['semanticType'],
        })),
        rows: cells,
      })),
  );

/** The JSON answer's table, as the backend parses it off the wire. */
function jsonOf(t: ResultTable): GatewayTable {
  return JSON.parse(JSON.stringify(toJsonTable(t))) as GatewayTable;
}

function answerOf(tables: ResultTable[]): Uint8Array {
  const bytes = arrowAnswer({ tables: tables.map(columnsFromRows), exports: [] });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

describe('reading the gateway Arrow answer', () => {
  it('gives every column the cells of the JSON answer, and the same frame bytes', () => {
    fc.assert(
      fc.property(fc.array(table, { minLength: 0, maxLength: 3 }), (tables) => {
        const got = readArrowAnswer(answerOf(tables));
        expect(got).toHaveLength(tables.length);
        got.forEach((t, k) => {
          const json = jsonOf(tables[k]!);
          expect(t.columns).toEqual(json.columns);
          t.columns.forEach((_c, i) => {
            expect(columnCells(t, i)).toEqual(json.rows.map((r) => r[i]));
          });
          const meta = { executedQueryString: 'script' };
          const frame = tableToFrame(json, 'A');
          const want = encodeFrame({ ...frame, refId: 'A', meta: { ...frame.meta, ...meta } });
          expect(Buffer.from(encodeTableFrame(t, { refId: 'A', meta }))).toEqual(Buffer.from(want));
        });
      }),
      fuzzParams(150, { seed: 13 }),
    );
  });

  it('returns tables or throws ArrowAnswerError on random and lying bytes, nothing else', () => {
    const lying = fc
      .tuple(
        fc.array(table, { minLength: 1, maxLength: 2 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }),
        fc.nat(),
      )
      .map(([tables, edits, cut]) => {
        const bytes = answerOf(tables).slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return cut % 3 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
      });
    fc.assert(
      fc.property(fc.oneof(lying, fc.uint8Array({ maxLength: 512 })), (bytes) => {
        try {
          const tables = readArrowAnswer(bytes);
          // What was read is whole: every column's cells and its frame can be made.
          for (const t of tables) {
            t.columns.forEach((_c, i) => columnCells(t, i));
            encodeTableFrame(t, { refId: 'A', meta: {} });
          }
        } catch (err) {
          if (!(err instanceof ArrowAnswerError)) throw err;
        }
      }),
      fuzzParams(400, { seed: 7 }),
    );
  });

  it('refuses an answer of more rows than 2^22, which a bit a value could claim in 512 KiB', () => {
    const rows = 2 ** 22 + 1;
    const bools = writeIpcStream(
      [
        {
          name: 'b',
          type: 'bool',
          nullable: true,
          metadata: new Map([['pxgate.type', 'BOOLEAN']]),
          nullCount: 0,
          buffers: [new Uint8Array(0), new Uint8Array(Math.ceil(rows / 8))],
        },
      ],
      rows,
      new Map([['pxgate.name', 't']]),
    );
    expect(() => readArrowAnswer(bools)).toThrow(
      new ArrowAnswerError(`a record batch claims ${rows} rows`),
    );
  });
});
