import { DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api';
import { SKETCH_QUANTILES_FUNCTION, parseSketches, sketchQuantiles } from './sketch';

// Apart from sketch.ts so that the compiler (which reads sketch.ts) never loads DuckDB: only
// the engine registers this function.

/**
 * The DuckDB function `_pxl_sketch_quantiles(sketches VARCHAR) -> VARCHAR` (JSON). Sketches
 * are checked when they arrive from a shard; one that fails here is answered as an error.
 */
export function sketchQuantilesUdf(): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name: SKETCH_QUANTILES_FUNCTION,
    returnType: VARCHAR,
    parameterTypes: [VARCHAR],
    specialHandling: true,
    mainFunction: (_info, input, output) => {
      const texts = input.getColumnVector(0);
      for (let i = 0; i < input.rowCount; i++) {
        const text = texts.getItem(i);
        const counts = typeof text === 'string' ? parseSketches(text) : new Map<number, number>();
        output.setItem(i, JSON.stringify(sketchQuantiles(counts)));
      }
      output.flush();
    },
  });
}
