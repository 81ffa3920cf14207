import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, Input, Select, Stack } from '@grafana/ui';

import type { PxgateDataSource } from '../datasource/PxgateDataSource';
import { PxgateOptions } from '../types/options';
import { PxgateQuery } from '../types/query';
import { PxgateVariableQuery, VariableKind } from '../types/variables';
import { PxlEditor } from './PxlEditor';
import { useDraft } from './useDraft';

type Props = QueryEditorProps<PxgateDataSource, PxgateQuery, PxgateOptions, PxgateVariableQuery>;

const KIND_OPTIONS: Array<SelectableValue<VariableKind>> = [
  { label: 'Namespaces', value: 'namespaces' },
  { label: 'Services', value: 'services', description: 'namespace/name' },
  { label: 'Pods', value: 'pods', description: 'namespace/name' },
  { label: 'Nodes', value: 'nodes' },
  {
    label: 'Script',
    value: 'script',
    description: 'The first column of the first table a PxL script displays',
  },
];

const EXAMPLE_SCRIPT = `import px

df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df = df.groupby('req_method').agg()
px.display(df)
`;

/** Normalises what Grafana hands a new variable (an empty string, or nothing). */
function variableQuery(query: unknown): PxgateVariableQuery {
  const q = query as Partial<PxgateVariableQuery> | undefined;
  return q && typeof q === 'object' && q.kind
    ? (q as PxgateVariableQuery)
    : { refId: 'variable', kind: 'namespaces' };
}

/** The editor of a pxgate template variable. */
export function VariableQueryEditor({ query: stored, onChange }: Props) {
  const query = variableQuery(stored);
  const [namespace, setNamespace] = useDraft(query.namespace ?? '');

  return (
    <Stack direction="column" gap={1}>
      <InlineField label="Values" labelWidth={14}>
        <Select
          aria-label="Variable values"
          options={KIND_OPTIONS}
          value={query.kind}
          width={24}
          onChange={(picked) =>
            onChange({
              ...query,
              kind: picked.value!,
              script: picked.value === 'script' ? (query.script ?? EXAMPLE_SCRIPT) : query.script,
            })
          }
        />
      </InlineField>
      {(query.kind === 'services' || query.kind === 'pods') && (
        <InlineField
          label="Namespace"
          labelWidth={14}
          tooltip="Only these namespaces: a name, or a variable such as $namespace"
        >
          <Input
            aria-label="Namespace filter"
            placeholder="all namespaces"
            width={24}
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            onBlur={() => onChange({ ...query, namespace: namespace || undefined })}
          />
        </InlineField>
      )}
      {query.kind === 'script' && (
        <PxlEditor
          label="Variable script"
          height={160}
          value={query.script ?? ''}
          onChange={(script) => {
            if (script !== query.script) onChange({ ...query, script });
          }}
        />
      )}
    </Stack>
  );
}
