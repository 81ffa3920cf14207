/**
 * The PxL behind each kind of template variable. Kubernetes names come from the metadata the
 * gateway joins to process_stats (`df.ctx[...]`), over the dashboard's time range.
 */
import { pxlStringList } from './pxlLiteral';
import { VariableKind } from '../types/variables';

const CONTEXT_KEY: Record<Exclude<VariableKind, 'script'>, string> = {
  namespaces: 'namespace',
  services: 'service',
  pods: 'pod',
  nodes: 'node',
};

/** The script listing the values of a variable kind, optionally only in some namespaces. */
export function variableScript(
  kind: Exclude<VariableKind, 'script'>,
  namespaces: readonly string[] = [],
): string {
  const lines = [
    'import px',
    '',
    "df = px.DataFrame(table='process_stats', start_time=$__from, end_time=$__to)",
    `df.value = df.ctx['${CONTEXT_KEY[kind]}']`,
  ];
  if (namespaces.length > 0 && kind !== 'namespaces' && kind !== 'nodes') {
    lines.push(`df = df[px.equals_any(df.ctx['namespace'], ${pxlStringList(namespaces)})]`);
  }
  lines.push(
    "df = df[df.value != '']",
    "df = df.groupby('value').agg()",
    "px.display(df, 'values')",
    '',
  );
  return lines.join('\n');
}

/** The distinct, non-empty values of a table's first column, in order. */
export function firstColumnValues(rows: unknown[][]): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    const cell = row[0];
    if (cell === null || cell === undefined || cell === '') continue;
    seen.add(String(cell));
  }
  return [...seen];
}
