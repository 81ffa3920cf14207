import { RecordBatchReader, Type } from 'apache-arrow';

/** A JSON cell and an Arrow value in one form: bigints as decimal strings, the rest as is. */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return v;
}

/** A table of an Arrow answer: its columns' metadata and Arrow types, and its rows. */
export interface Decoded {
  name: string;
  columns: { name: string; type: string; semanticType: string; arrowType: Type }[];
  rows: unknown[][];
}

/**
 * The tables of a `POST /v1/query` Arrow answer (docs/api.md), read with apache-arrow: each
 * stream read whole before the next is opened (they share one source), each column from its
 * buffers.
 */
export function decodeArrow(bytes: Uint8Array): Decoded[] {
  const tables: Decoded[] = [];
  for (const reader of RecordBatchReader.readAll(bytes)) {
    const batches = [...reader];
    const fields = reader.schema.fields;
    const rows: unknown[][] = [];
    for (const batch of batches) {
      for (let r = 0; r < batch.numRows; r++) {
        rows.push(
          fields.map((f, i) => {
            const data = batch.getChildAt(i)!.data[0]!;
            if (!data.getValid(r)) return null;
            if (f.typeId === Type.Int || f.typeId === Type.Timestamp) {
              return (data.values as BigInt64Array)[r];
            }
            return batch.getChildAt(i)!.get(r);
          }),
        );
      }
    }
    tables.push({
      name: reader.schema.metadata.get('pxgate.name')!,
      columns: fields.map((f) => ({
        name: f.name,
        type: f.metadata.get('pxgate.type')!,
        semanticType: f.metadata.get('pxgate.semanticType')!,
        arrowType: f.typeId,
      })),
      rows,
    });
  }
  return tables;
}

/** The Arrow type each column type is answered as. */
export const ARROW_TYPE: Record<string, Type> = {
  BOOLEAN: Type.Bool,
  INT64: Type.Int,
  TIME64NS: Type.Timestamp,
  FLOAT64: Type.Float,
  STRING: Type.Utf8,
  UINT128: Type.Utf8,
};

/** Rows as sorted strings: two runs of one script need not give rows in the same order. */
export function rowSet(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r.map(norm))).sort();
}
