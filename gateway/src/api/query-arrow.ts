import { IpcColumn, writeIpcStream } from '../../../shared/common/arrow-ipc-writer';
import { COLUMN_KEYS, QUERY_ARROW_TYPES, TABLE_KEYS } from '../../../shared/contract/query-arrow';
import { ColumnarRunResult, ColumnarTable } from '../pxl/execute/columnar';
import { toJsonSpec } from '../pxl/execute/result';

/** The buffers of a vector in Arrow's order: validity, [offsets,] values. */
function buffers(vector: ColumnarTable['vectors'][number]): Uint8Array[] {
  const offsets = vector.offsets;
  return offsets
    ? [
        vector.validity,
        new Uint8Array(offsets.buffer, offsets.byteOffset, offsets.byteLength),
        vector.data,
      ]
    : [vector.validity, vector.data];
}

/** One table as an Arrow IPC stream, its name and its columns' types in the metadata. */
function tableStream(table: ColumnarTable, spec?: unknown): Uint8Array {
  const columns: IpcColumn[] = table.columns.map((c, i) => {
    const vector = table.vectors[i]!;
    const metadata = new Map<string, string>([
      [COLUMN_KEYS.type, c.type],
      [COLUMN_KEYS.semanticType, c.semanticType],
    ]);
    if (c.scriptReference) {
      metadata.set(
        COLUMN_KEYS.scriptReference,
        JSON.stringify(toJsonSpec(c.scriptReference as never)),
      );
    }
    return {
      name: c.name,
      type: QUERY_ARROW_TYPES[c.type],
      nullable: true,
      metadata,
      nullCount: vector.nullCount,
      buffers: buffers(vector),
    };
  });
  const metadata = new Map<string, string>([[TABLE_KEYS.name, table.name]]);
  if (spec !== undefined)
    metadata.set(TABLE_KEYS.exportSpec, JSON.stringify(toJsonSpec(spec as never)));
  return writeIpcStream(columns, table.length, metadata);
}

/**
 * The body of an Arrow answer to `POST /v1/query` (docs/api.md): one IPC stream per table, end
 * to end, displayed tables in px.display order, then exported ones.
 */
export function arrowAnswer(result: ColumnarRunResult): Buffer {
  const streams = [
    ...result.tables.map((t) => tableStream(t)),
    ...result.exports.map((e) => tableStream(e.table, e.spec)),
  ];
  return Buffer.concat(streams);
}

/** Warnings as a header value: a JSON array, non-ASCII escaped (header values are bytes). */
export function warningsHeader(warnings: readonly string[]): string {
  return JSON.stringify(warnings).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
