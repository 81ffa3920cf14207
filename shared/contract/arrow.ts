import { Bool, DataType, FixedSizeBinary, Float64, Int64, Utf8 } from 'apache-arrow';
import { ColumnSchema } from './types';

export { ARROW_STREAM_TYPE } from './query-arrow';

/**
 * The Arrow type a column of each type is sent as: what the agent writes, and the gateway's
 * fast path (it takes other types too: gateway/src/ingest/arrow-columns.ts). UINT128 is
 * FixedSizeBinary(16), little-endian, low half first (uint128.ts).
 */
export function arrowTypeOf(c: ColumnSchema): DataType {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
      return new Int64();
    case 'UINT128':
      return new FixedSizeBinary(16);
    case 'STRING':
      return new Utf8();
    case 'FLOAT64':
      return new Float64();
    case 'BOOLEAN':
      return new Bool();
  }
}
