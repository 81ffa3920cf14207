/**
 * A table of the gateway's Arrow answer as a frame file, around the gateway's own buffers:
 * times, booleans and text go into the frame as they came (Timestamp(ns), Bool, Utf8), numbers
 * as Float64 (INT64 converted, a unit's scale applied), and only quantile columns, which split
 * into fields, are read value by value. The file is byte for byte the one encodeFrame writes for
 * the same table answered as JSON (tableToFrame's fields), so the two answers give one frame.
 */
import { FieldConfig } from '@grafana/data';

import { IpcColumn, writeIpcFile } from '../../../../shared/common/arrow-ipc-writer';
import { columnCells } from '../../data/columnCells';
import { columnFields, LinkMaker } from '../../data/frames';
import { QUANTILE_TYPES, unitOf } from '../../data/units';
import { ColumnarTable, ColumnVector, GatewayColumn } from '../../types/gateway';
import { fieldColumn, fieldMetadata, frameMetadata } from './arrow';

const TWO_32 = 2 ** 32;

/** INT64 values (little-endian int64) as float64, each rounded once, then scaled. */
function int64ToFloat64(data: Uint8Array, length: number, scale: number): Uint8Array {
  const words = new Int32Array(data.buffer, data.byteOffset, 2 * length);
  const out = new Float64Array(length);
  for (let r = 0; r < length; r++)
    out[r] = (words[2 * r + 1]! * TWO_32 + (words[2 * r]! >>> 0)) * scale;
  return new Uint8Array(out.buffer);
}

function scaled(data: Uint8Array, length: number, scale: number): Uint8Array {
  if (scale === 1) return data;
  const values = new Float64Array(data.buffer, data.byteOffset, length);
  const out = new Float64Array(length);
  for (let r = 0; r < length; r++) out[r] = values[r]! * scale;
  return new Uint8Array(out.buffer);
}

function bytesOf(view: Int32Array): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The type and buffers of a column that becomes one field, and its config's unit. */
function direct(column: GatewayColumn, vector: ColumnVector, length: number) {
  const { validity, data } = vector;
  const unit = unitOf(column.semanticType);
  switch (column.type) {
    case 'TIME64NS':
      return { type: 'timestamp_ns' as const, buffers: [validity, data], config: {} };
    case 'INT64':
    case 'FLOAT64': {
      const scale = unit?.scale ?? 1;
      const values =
        column.type === 'INT64' ? int64ToFloat64(data, length, scale) : scaled(data, length, scale);
      const config: FieldConfig = unit ? { unit: unit.unit } : {};
      return { type: 'float64' as const, buffers: [validity, values], config };
    }
    case 'BOOLEAN':
      return { type: 'bool' as const, buffers: [validity, data], config: {} };
    case 'STRING':
    case 'UINT128':
      return {
        type: 'utf8' as const,
        buffers: [validity, bytesOf(vector.offsets!), data],
        config: {},
      };
  }
}

/** One table of an Arrow answer as the frame file of a `table` format query. */
export function encodeTableFrame(
  table: ColumnarTable,
  frame: { refId: string; meta: Record<string, unknown> },
  linkFor?: LinkMaker,
): Uint8Array {
  const length = table.length;
  const taken = new Set(table.columns.map((c) => c.name));
  const columns = table.columns.flatMap((column, i): IpcColumn[] => {
    if (column.semanticType in QUANTILE_TYPES) {
      return columnFields(column, columnCells(table, i), taken).map((f) =>
        fieldColumn(f, length, table.name),
      );
    }
    const vector = table.vectors[i]!;
    const { type, buffers, config } = direct(column, vector, length);
    const link = linkFor && column.scriptReference && linkFor(column.scriptReference);
    const withLink: FieldConfig = link ? { ...config, links: [link] } : config;
    return [
      {
        name: column.name,
        type,
        nullable: vector.nullCount > 0,
        nullCount: vector.nullCount,
        buffers,
        metadata: fieldMetadata({ name: column.name, config: withLink }),
      },
    ];
  });
  return writeIpcFile(columns, length, frameMetadata({ name: table.name, ...frame }));
}
