import {
  Bool,
  DataType as ArrowDataType,
  FixedSizeBinary,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  Vector,
} from 'apache-arrow';
import { ColumnSchema, TableSchema } from '../../../../shared/contract/types';
import { parseUint128 } from '../../../../shared/contract/uint128';
import { TypedColumn } from '../../pxl/check/typed';
import { nullColumn, valueColumn } from '../../pxl/compile/split';
import { Cell, ResultTable } from '../../pxl/execute/result';
import { decodeArrowStream } from '../../ingest/arrow';
import { ColumnBatch } from '../../store/batch';
import { UserError } from '../../common/errors';
import { ArrowFormatError, readMessages } from '../../ingest/arrow-ipc/messages';

/**
 * A shard's answer to a part of a query, as it crosses NATS: one Arrow IPC stream whose fields
 * are the part's columns by position, `c0, c1, ...` in the contract's Arrow types, each with a
 * Bool `n<i>` that marks its nulls (the checked reader takes no nulls: a null is sent as the
 * type's zero value and its flag).
 */

/** A shard's answer that is not what was asked for: the shard is named where it is caught. */
export class ShardAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardAnswerError';
  }
}

/** The wire schema of a part's answer: each column's value, then its null flag. */
export function answerSchema(columns: readonly TypedColumn[]): TableSchema {
  const fields: ColumnSchema[] = [];
  columns.forEach((c, i) => {
    fields.push({ name: valueColumn(i), type: c.type, semanticType: 'ST_NONE' });
    fields.push({ name: nullColumn(i), type: 'BOOLEAN', semanticType: 'ST_NONE' });
  });
  return { name: 'shard answer', description: '', columns: fields, builtin: false };
}

/** Encodes a part's result rows as the Arrow IPC stream of its answer. */
export function encodeAnswer(result: ResultTable, columns: readonly TypedColumn[]): Uint8Array {
  const schema = answerSchema(columns);
  const n = result.rows.length;
  const vectors: Vector[] = [];
  columns.forEach((c, i) => {
    const cells = result.rows.map((r) => r[i] ?? null);
    vectors.push(valueVector(c, cells, n));
    vectors.push(
      makeVector(
        makeData({ type: new Bool(), length: n, data: bitmap(cells.map((x) => x === null)) }),
      ),
    );
  });
  const table = new Table(Object.fromEntries(schema.columns.map((c, i) => [c.name, vectors[i]!])));
  return tableToIPC(table, 'stream');
}

function valueVector(c: ColumnSchema, cells: readonly Cell[], n: number): Vector {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
      return makeVector(BigInt64Array.from(cells, (x) => (typeof x === 'bigint' ? x : 0n)));
    case 'FLOAT64':
      return makeVector(Float64Array.from(cells, (x) => (typeof x === 'number' ? x : 0)));
    case 'BOOLEAN':
      return makeVector(
        makeData({ type: new Bool(), length: n, data: bitmap(cells.map((x) => x === true)) }),
      );
    case 'STRING':
      return vectorFromArray(
        cells.map((x) => (typeof x === 'string' ? x : '')),
        new Utf8() as ArrowDataType,
      );
    case 'UINT128': {
      const bytes = new Uint8Array(16 * n);
      const view = new DataView(bytes.buffer);
      cells.forEach((x, i) => {
        const v = x === null ? { high: 0n, low: 0n } : parseUint128(x);
        if (!v) throw new Error(`a UINT128 cell "${String(x)}" is not one`);
        view.setBigUint64(16 * i, v.low, true);
        view.setBigUint64(16 * i + 8, v.high, true);
      });
      return makeVector(makeData({ type: new FixedSizeBinary(16), length: n, data: bytes }));
    }
  }
}

/** An Arrow validity-style bitmap of flags (bit i of byte i/8, least significant first). */
function bitmap(flags: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(flags.length / 8));
  flags.forEach((f, i) => {
    if (f) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/**
 * Decodes a shard's answer with the gateway's checked Arrow reader: the stream must have the
 * part's fields exactly (names, order and types) and fit in `budgetBytes`; every length, offset
 * and UTF-8 string is checked before it is read (ingest/arrow.ts).
 */
export function decodeAnswer(
  body: Uint8Array,
  columns: readonly TypedColumn[],
  budgetBytes: number,
): ColumnBatch[] {
  const schema = answerSchema(columns);
  if (body.length > budgetBytes) {
    throw new ShardAnswerError(
      `the answer has ${body.length} bytes, more than the ${budgetBytes} allowed`,
    );
  }
  try {
    const first = readMessages(body).next();
    const fields = !first.done && first.value.kind === 'schema' ? first.value.fields : undefined;
    const names = fields?.map((f) => f.name).join(',');
    const want = schema.columns.map((c) => c.name).join(',');
    if (names !== want) {
      throw new ShardAnswerError(
        `the answer's fields are [${(names ?? 'no schema').slice(0, 200)}], not [${want.slice(0, 200)}]`,
      );
    }
    return decodeArrowStream(schema, body, { budgetBytes });
  } catch (err) {
    if (err instanceof ShardAnswerError) throw err;
    if (err instanceof ArrowFormatError || err instanceof UserError) {
      throw new ShardAnswerError(`the answer is not the part's Arrow stream: ${err.message}`);
    }
    throw err;
  }
}
