/**
 * A query's answer to the frames its format asks for: the `output` table (or all of them),
 * then wide time series, a node graph, trace frames, or plain tables.
 */
import { DataFrame } from '@grafana/data';

import { AnswerTable } from '../types/gateway';
import { PxgateQuery } from '../types/query';
import { LinkMaker, tableToFrame } from './frames';
import { toNodeGraph } from './nodeGraph';
import { longToWide } from './timeSeries';
import { toTraceFrames } from './traces';

/** The query asked for a table the script did not display. */
export class OutputNotFoundError extends Error {
  override name = 'OutputNotFoundError';
}

/** The `output` table of an answer, or all of them; throws OutputNotFoundError. */
export function selectTables<T extends AnswerTable>(tables: T[], output: string | undefined): T[] {
  if (!output) return tables;
  const chosen = tables.filter((t) => t.name === output);
  if (chosen.length === 0) {
    const shown = tables.map((t) => `"${t.name}"`).join(', ') || 'no tables';
    throw new OutputNotFoundError(
      `the script displayed no table named "${output}"; it displayed ${shown}`,
    );
  }
  return chosen;
}

/** The frames of one query's answer. Throws when the tables do not fit the format. */
export function framesForQuery(
  tables: AnswerTable[],
  query: Pick<PxgateQuery, 'refId' | 'format' | 'output'>,
  linkFor?: LinkMaker,
): DataFrame[] {
  // A node graph is built from the `nodes` and `edges` tables together.
  const selected = query.format === 'node_graph' ? tables : selectTables(tables, query.output);
  const frames = selected.map((t) => tableToFrame(t, query.refId, linkFor));
  switch (query.format) {
    case 'time_series':
      return frames.map(longToWide);
    case 'node_graph':
      return toNodeGraph(frames, query.refId);
    case 'traces':
      return frames.flatMap((f) => toTraceFrames(f, query.refId));
    case 'table':
      return frames;
  }
}
