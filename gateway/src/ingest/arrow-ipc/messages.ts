import { FlatTable, FlatbufferError, Int64Structs } from '../../../../shared/common/flatbuffer';
import { ArrowType, intType, readType } from './types';

/** A stream that breaks the IPC format; `unsupported` marks valid features we do not take. */
export class ArrowFormatError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
    this.name = 'ArrowFormatError';
  }
}

/** A field of the stream's schema, flat (the stored types have no children). */
export interface ArrowField {
  readonly name: string;
  readonly type: ArrowType;
  readonly dictionary:
    { readonly id: number; readonly indexType: ArrowType & { id: 'Int' } } | undefined;
}

/**
 * A record batch's header: its row count, one node (length, null count) per field, and its
 * buffers (offset, length) in the body, as sent: nothing here is checked against the body yet.
 */
export interface RecordBatchHeader {
  readonly length: number;
  readonly nodes: Int64Structs;
  readonly buffers: Int64Structs;
}

export type IpcMessage =
  | { readonly kind: 'schema'; readonly fields: readonly ArrowField[] }
  | {
      readonly kind: 'dictionary';
      readonly id: number;
      readonly isDelta: boolean;
      readonly batch: RecordBatchHeader;
      readonly body: Uint8Array;
    }
  | { readonly kind: 'record'; readonly batch: RecordBatchHeader; readonly body: Uint8Array };

const CONTINUATION = 0xffffffff;
const METADATA_V4 = 3;
const METADATA_V5 = 4;
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;

/**
 * Reads the encapsulated messages of an Arrow IPC stream one by one: the framing (continuation
 * marker, metadata length, the pre-1.0 form without the marker), each Message flatbuffer, and its
 * body, checked to lie inside the stream. Stops at the end-of-stream marker or the end of input.
 */
export function* readMessages(stream: Uint8Array): Generator<IpcMessage> {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let at = 0;
  for (let index = 0; at < stream.length; index++) {
    const where = `message ${index} (at byte ${at})`;
    if (stream.length - at < 4) throw new ArrowFormatError(`${where}: truncated message prefix`);
    let metaStart = at + 4;
    let metaLength = view.getUint32(at, true);
    if (metaLength === CONTINUATION) {
      if (stream.length - at < 8) throw new ArrowFormatError(`${where}: truncated message prefix`);
      metaLength = view.getUint32(at + 4, true);
      metaStart = at + 8;
    }
    if (metaLength === 0) return;
    if (metaLength > stream.length - metaStart) {
      throw new ArrowFormatError(
        `${where}: metadata of ${metaLength} bytes runs past the end of the stream (${stream.length - metaStart} left)`,
      );
    }
    const bodyStart = metaStart + metaLength;
    let message: FlatTable;
    let bodyLength: number;
    try {
      message = FlatTable.root(stream.subarray(metaStart, bodyStart));
      bodyLength = message.int64(3, 0);
    } catch (err) {
      throw wrap(where, err);
    }
    if (bodyLength < 0 || bodyLength > stream.length - bodyStart) {
      throw new ArrowFormatError(
        `${where}: a body of ${bodyLength} bytes runs past the end of the stream (${stream.length - bodyStart} left)`,
      );
    }
    const body = stream.subarray(bodyStart, bodyStart + bodyLength);
    try {
      yield parseMessage(message, body);
    } catch (err) {
      throw wrap(where, err);
    }
    at = bodyStart + bodyLength;
  }
}

function wrap(where: string, err: unknown): Error {
  if (err instanceof FlatbufferError) return new ArrowFormatError(`${where}: ${err.message}`);
  if (err instanceof ArrowFormatError)
    return new ArrowFormatError(`${where}: ${err.message}`, err.unsupported);
  return err as Error;
}

function parseMessage(message: FlatTable, body: Uint8Array): IpcMessage {
  const version = message.int16(0, 0);
  if (version !== METADATA_V4 && version !== METADATA_V5) {
    throw new ArrowFormatError(
      `metadata version V${version + 1} is not supported (send V4 or V5)`,
      true,
    );
  }
  const type = message.uint8(1, 0);
  const header = message.table(2);
  if (!header) throw new ArrowFormatError('the message has no header');
  switch (type) {
    case HEADER.Schema:
      return { kind: 'schema', fields: parseSchema(header) };
    case HEADER.DictionaryBatch: {
      const data = header.table(1);
      if (!data) throw new ArrowFormatError('the dictionary batch has no data');
      return {
        kind: 'dictionary',
        id: header.int64(0, 0),
        isDelta: header.uint8(2, 0) !== 0,
        batch: parseRecordBatch(data),
        body,
      };
    }
    case HEADER.RecordBatch:
      return { kind: 'record', batch: parseRecordBatch(header), body };
    default:
      throw new ArrowFormatError(
        `a message of type ${type} is not a schema, dictionary batch or record batch`,
        true,
      );
  }
}

function parseSchema(schema: FlatTable): ArrowField[] {
  if (schema.int16(0, 0) !== 0) {
    throw new ArrowFormatError('big-endian streams are not supported; send little-endian', true);
  }
  return schema.tables(1).map((field) => {
    const name = field.string(0) ?? '';
    const dictionary = field.table(4);
    const type = readType(field.uint8(2, 0), field.table(3));
    if (type.id !== 'Other' && field.vectorLength(5, 4) > 0) {
      throw new ArrowFormatError(`field "${name}" of a flat type has children`);
    }
    return {
      name,
      type,
      dictionary: dictionary && {
        id: dictionary.int64(0, 0),
        indexType: dictionary.table(1)
          ? intType(dictionary.table(1))
          : { id: 'Int', bitWidth: 32, signed: true },
      },
    };
  });
}

function parseRecordBatch(batch: FlatTable): RecordBatchHeader {
  if (batch.table(3)) {
    throw new ArrowFormatError(
      'compressed bodies (LZ4, ZSTD) are not supported; send uncompressed buffers',
      true,
    );
  }
  return {
    length: batch.int64(0, 0),
    nodes: batch.int64Structs(1, 2),
    buffers: batch.int64Structs(2, 2),
  };
}
