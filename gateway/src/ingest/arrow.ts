import {
  ColumnBatch,
  ColumnData,
  StringValues,
  columnBatch,
  overBudget,
  fixedBytes,
  stringHeapBytes,
} from '../store/batch';
import { ColumnSchema, TableSchema } from '../../../shared/contract/types';
import { BatchBody, RowFormatError, utf8Values } from './arrow-ipc/arrays';
import { ArrowField, ArrowFormatError, IpcMessage, readMessages } from './arrow-ipc/messages';
import {
  Dictionary,
  FieldSlot,
  acceptedTypes,
  accepts,
  bufferCount,
  convertField,
  decodeStrings,
  fieldTypeName,
} from './arrow-columns';
import { IngestError } from './errors';
import { DecodeOptions, checkTimes, zeroColumn } from './rules';

/**
 * Messages one stream may hold. Each record batch costs a fixed amount of work however few its
 * rows, so without a bound a 16 MiB body of one-row batches kept the event loop for seconds.
 */
export const MAX_MESSAGES = 512;

/**
 * Decodes an Arrow IPC stream into column batches of the table, one per record batch. Fields are
 * matched to columns by name; a column the stream lacks takes its zero value. Nothing in the
 * stream is trusted: message framing, flatbuffer headers, every buffer's place in the body, the
 * batch length against each buffer, string offsets, dictionary indices and UTF-8 are checked
 * before a value is read, so a lying stream is refused whole with a 4xx naming table, column and
 * row. Numeric and Utf8 buffers are then used in place, without copying values one by one.
 */
export function decodeArrowStream(
  schema: TableSchema,
  body: Uint8Array,
  options: DecodeOptions = {},
): ColumnBatch[] {
  const stream = new StreamDecoder(schema, options);
  try {
    for (const message of readMessages(body)) stream.accept(message);
  } catch (err) {
    if (err instanceof ArrowFormatError) {
      throw IngestError.at(
        schema.name,
        undefined,
        undefined,
        `body is not a valid Arrow IPC stream: ${err.message}`,
        err.unsupported ? 'unsupported' : 'malformed',
      );
    }
    throw err;
  }
  return stream.parts;
}

/** The state of one stream as its messages arrive: its schema's fields, dictionaries, batches. */
class StreamDecoder {
  readonly parts: ColumnBatch[] = [];
  private slots: FieldSlot[] | undefined;
  private buffers = 0;
  private readonly dictionaries = new Map<number, string[]>();
  private rows = 0;
  private messages = 0;
  private batches = 0;
  private bytes = 0;

  constructor(
    private readonly schema: TableSchema,
    private readonly options: DecodeOptions,
  ) {}

  accept(message: IpcMessage): void {
    if (++this.messages > MAX_MESSAGES) {
      throw new IngestError(
        `table "${this.schema.name}": the stream holds more than ${MAX_MESSAGES} messages; send fewer, larger record batches`,
        'too_large',
      );
    }
    if (message.kind === 'schema') {
      if (this.slots) throw new ArrowFormatError('the stream has a second schema message');
      this.slots = this.plan(message.fields);
      return;
    }
    if (!this.slots) throw new ArrowFormatError('a batch came before the schema message');
    if (message.kind === 'dictionary') {
      this.readDictionary(this.slots, message);
      return;
    }
    const body = this.atBatch(
      () => new BatchBody(message.batch, message.body, this.slots!.length, this.buffers),
    );
    const batch = this.readBatch(this.slots, body);
    if (batch.rowCount > 0) this.parts.push(batch);
    this.rows += batch.rowCount;
    this.batches++;
  }

  /** Runs a step that checks a record batch's header, naming the batch in a format fault. */
  private atBatch<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof ArrowFormatError)) throw err;
      throw new ArrowFormatError(`record batch ${this.batches}: ${err.message}`, err.unsupported);
    }
  }

  /** Matches the schema's fields to the table's columns, refusing unknown names and types. */
  private plan(fields: readonly ArrowField[]): FieldSlot[] {
    const table = this.schema.name;
    const seen = new Set<string>();
    return fields.map((field, node) => {
      const column = this.schema.columns.find((c) => c.name === field.name);
      if (!column) {
        throw IngestError.at(
          table,
          undefined,
          field.name,
          `unknown column; the table has ${this.schema.columns.map((c) => c.name).join(', ')}`,
        );
      }
      if (seen.has(column.name)) {
        throw IngestError.at(table, undefined, column.name, 'the stream has this column twice');
      }
      seen.add(column.name);
      if (!accepts(column, field)) {
        throw IngestError.at(
          table,
          undefined,
          column.name,
          `Arrow type ${fieldTypeName(field)} cannot be stored in a ${column.type} column (${acceptedTypes(column)})`,
        );
      }
      const slot: FieldSlot = { table, column, field, node, buffer: this.buffers };
      this.buffers += bufferCount(field);
      return slot;
    });
  }

  /** Reads a dictionary batch: one Utf8 field, checked like any other, replacing or extending. */
  private readDictionary(
    slots: readonly FieldSlot[],
    message: IpcMessage & { kind: 'dictionary' },
  ): void {
    const owner = slots.find((s) => s.field.dictionary?.id === message.id);
    if (!owner) {
      throw new ArrowFormatError(`a dictionary batch has id ${message.id}, which no field uses`);
    }
    const values = this.inColumn(owner.column, 0, () => {
      const where = `dictionary ${message.id}`;
      try {
        const body = new BatchBody(message.batch, message.body, 1, 3);
        if (body.nullCount(0) > 0) throw new ArrowFormatError('it has a null value');
        const large = owner.field.type.id === 'LargeUtf8';
        return decodeStrings(utf8Values(body.buffer(1), body.buffer(2), body.length, large));
      } catch (err) {
        // A fault in a dictionary is at one of its values, not at a row of the table.
        if (err instanceof RowFormatError) {
          throw new ArrowFormatError(`${where}, value ${err.row}: ${err.message}`);
        }
        if (err instanceof ArrowFormatError) throw new ArrowFormatError(`${where}: ${err.message}`);
        throw err;
      }
    });
    const existing = this.dictionaries.get(message.id);
    if (message.isDelta && existing) for (const v of values) existing.push(v);
    else this.dictionaries.set(message.id, values);
  }

  private readBatch(slots: readonly FieldSlot[], body: BatchBody): ColumnBatch {
    const { schema, options } = this;
    const n = body.length;
    if (n > 0 && slots.length === 0) {
      throw IngestError.at(
        schema.name,
        undefined,
        undefined,
        `a record batch of ${n} rows has no columns`,
      );
    }
    // Refuse a batch over the table's budget before allocating its columns.
    this.bytes += fixedBytes(schema, n);
    if (options.budgetBytes !== undefined && this.bytes > options.budgetBytes) {
      throw overBudget(schema.name, this.bytes, options.budgetBytes);
    }
    const byName = new Map(slots.map((s) => [s.column.name, s]));
    const dictionaries: ReadonlyMap<number, Dictionary> = this.dictionaries;
    let heapBytes = 0;
    const columns = schema.columns.map((c): ColumnData => {
      const slot = byName.get(c.name);
      if (!slot) return zeroColumn(schema, c, n, options);
      const column = this.inColumn(c, this.rows, () =>
        convertField(slot, body, dictionaries, this.rows),
      );
      if (column.type === 'STRING') heapBytes += stringBytes(column.values);
      return column;
    });
    checkTimes(schema, columns, this.rows, options);
    return columnBatch(schema, n, columns, heapBytes);
  }

  /** Runs a step that reads one column, naming the column (and row) in any format fault. */
  private inColumn<T>(column: ColumnSchema, firstRow: number, step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof ArrowFormatError)) throw err;
      const row = err instanceof RowFormatError ? firstRow + err.row : undefined;
      throw IngestError.at(
        this.schema.name,
        row,
        column.name,
        err.message,
        err.unsupported ? 'unsupported' : 'malformed',
      );
    }
  }
}

function stringBytes(strings: StringValues): number {
  let bytes = 0;
  if (strings.kind === 'strings') {
    for (const s of strings.values) bytes += stringHeapBytes(s.length);
  } else {
    const o = strings.offsets;
    for (let i = 0; i + 1 < o.length; i++) bytes += stringHeapBytes(o[i + 1]! - o[i]!);
  }
  return bytes;
}
