import { DataType, GatewayTable } from '../../src/types/gateway';

/**
 * A gateway table from compact column specs, `'name:TYPE'` or `'name:TYPE:ST_SEMANTIC'`, as
 * `POST /v1/query` answers it.
 */
export function gatewayTable(
  name: string,
  columns: string[],
  rows: unknown[][] = [],
): GatewayTable {
  return {
    name,
    columns: columns.map((spec) => {
      const [column, type, semanticType = 'ST_NONE'] = spec.split(':');
      return { name: column!, type: type as DataType, semanticType };
    }),
    rows,
  };
}
