/**
 * `nodes` and `edges` tables to the frames Grafana's Node Graph panel reads. Column names are
 * matched without regard to case (Pixie's scripts write `mainStat`); an edges table without
 * `id` gets `source->target`, and a missing nodes table is derived from the edges.
 */
import { DataFrame, Field, FieldType } from '@grafana/data';

/** The field names the Node Graph panel knows (lower case, as it wants them). */
const NODE_FIELDS = [
  'id',
  'title',
  'subtitle',
  'mainstat',
  'secondarystat',
  'color',
  'icon',
  'noderadius',
  'highlighted',
];
const EDGE_FIELDS = [
  'id',
  'source',
  'target',
  'mainstat',
  'secondarystat',
  'thickness',
  'color',
  'highlighted',
  'strokedasharray',
];
const PREFIXES = ['arc__', 'detail__'];
/** `nodeRadius` and `strokeDasharray` keep their camel case in Grafana. */
const CAMEL: Record<string, string> = {
  noderadius: 'nodeRadius',
  strokedasharray: 'strokeDasharray',
};

const ARC_COLORS = ['green', 'red', 'yellow', 'blue', 'purple', 'orange'];

/** A node graph that cannot be built; the message says what is missing. */
export class NodeGraphError extends Error {
  override name = 'NodeGraphError';
}

function normalisedName(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  for (const prefix of PREFIXES) {
    if (lower.startsWith(prefix)) return prefix + name.slice(prefix.length);
  }
  return known.includes(lower) ? (CAMEL[lower] ?? lower) : name;
}

function normalise(frame: DataFrame, known: readonly string[], name: string): DataFrame {
  let arc = 0;
  const fields = frame.fields.map((f): Field => {
    const fieldName = normalisedName(f.name, known);
    const config = { ...f.config };
    if (fieldName.startsWith('arc__') && !config.color) {
      config.color = { mode: 'fixed', fixedColor: ARC_COLORS[arc++ % ARC_COLORS.length] };
    }
    return { ...f, name: fieldName, config };
  });
  return {
    ...frame,
    name,
    fields,
    meta: { ...frame.meta, preferredVisualisationType: 'nodeGraph' },
  };
}

function field(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

function stringField(name: string, values: string[]): Field {
  return { name, type: FieldType.string, config: {}, values };
}

function hasEdgeShape(frame: DataFrame): boolean {
  const names = frame.fields.map((f) => f.name.toLowerCase());
  return names.includes('source') && names.includes('target');
}

/** Builds the Node Graph frames from a query's frames. */
export function toNodeGraph(frames: DataFrame[], refId?: string): DataFrame[] {
  const byName = (n: string) => frames.find((f) => f.name?.toLowerCase() === n);
  const edgesIn = byName('edges') ?? frames.find(hasEdgeShape);
  if (!edgesIn || !hasEdgeShape(edgesIn)) {
    const shown = frames.map((f) => f.name).join(', ') || 'none';
    throw new NodeGraphError(
      `a node graph needs an "edges" table with source and target columns; the script displayed: ${shown}`,
    );
  }
  const edges = normalise(edgesIn, EDGE_FIELDS, 'edges');
  const source = field(edges, 'source')!.values.map(String);
  const target = field(edges, 'target')!.values.map(String);
  if (!field(edges, 'id')) {
    edges.fields.unshift(
      stringField(
        'id',
        source.map((s, i) => `${s}->${target[i]}`),
      ),
    );
  }

  const nodesIn = byName('nodes');
  let nodes: DataFrame;
  if (nodesIn) {
    nodes = normalise(nodesIn, NODE_FIELDS, 'nodes');
    if (!field(nodes, 'id')) throw new NodeGraphError('the "nodes" table needs an id column');
  } else {
    const ids = [...new Set([...source, ...target])];
    nodes = {
      name: 'nodes',
      fields: [stringField('id', ids), stringField('title', ids)],
      length: ids.length,
      meta: { preferredVisualisationType: 'nodeGraph' },
    };
  }
  return [
    { ...nodes, refId },
    { ...edges, refId },
  ];
}
