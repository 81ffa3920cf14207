import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, Input, RadioButtonGroup, Select, Stack } from '@grafana/ui';
import type { BundledScript } from '@pxgate/scripts';
import { useEffect, useMemo, useState } from 'react';

import { migrateQuery } from '../data/migrations';
import { displayedTables } from '../data/outputs';
import { validateQuery } from '../data/validate';
import type { PxgateDataSource } from '../datasource/PxgateDataSource';
import { PxgateOptions } from '../types/options';
import { PxgateQuery, QueryFormat } from '../types/query';
import { ArgsEditor } from './ArgsEditor';
import { PxlEditor } from './PxlEditor';
import { useDraft } from './useDraft';

type Props = QueryEditorProps<PxgateDataSource, PxgateQuery, PxgateOptions>;

export const FORMAT_OPTIONS: Array<SelectableValue<QueryFormat>> = [
  {
    label: 'Time series',
    value: 'time_series',
    description: 'Long tables with a time_ column become one series per label set',
  },
  { label: 'Table', value: 'table', description: 'Each displayed table as it is' },
  {
    label: 'Node graph',
    value: 'node_graph',
    description: 'The "nodes" and "edges" tables, for the Node Graph panel',
  },
  { label: 'Traces', value: 'traces', description: 'Span-shaped rows, for the trace view' },
];

/** The bundled scripts, once the backend has listed them (none while it has not, or cannot). */
function useScripts(datasource: Pick<PxgateDataSource, 'scripts'>): BundledScript[] {
  const [scripts, setScripts] = useState<BundledScript[]>([]);
  useEffect(() => {
    let current = true;
    datasource.scripts().then(
      (list) => current && setScripts(list),
      () => current && setScripts([]),
    );
    return () => {
      current = false;
    };
  }, [datasource]);
  return scripts;
}

/** The format a bundled script suggests: a node graph when it displays nodes and edges. */
function suggestedFormat(script: string, current: QueryFormat): QueryFormat {
  const shown = displayedTables(script);
  return shown.includes('nodes') && shown.includes('edges') ? 'node_graph' : current;
}

/**
 * The query editor: a bundled-script picker, the PxL editor (Shift+Enter runs), the function and
 * its arguments, which displayed table to show, and the format.
 */
export function QueryEditor({ datasource, query: stored, onChange, onRunQuery }: Props) {
  const query = useMemo(() => migrateQuery(stored), [stored]);
  const scripts = useScripts(datasource);
  const scriptOptions = useMemo<Array<SelectableValue<string>>>(
    () => scripts.map((s) => ({ label: s.name, value: s.id, description: s.description })),
    [scripts],
  );
  const [func, setFunc] = useDraft(query.func ?? '');

  // Saved queries of older versions are upgraded once, when the editor opens them.
  useEffect(() => {
    if (stored.version !== query.version) onChange(query);
  }, [stored, query, onChange]);

  const change = (patch: Partial<PxgateQuery>, run = false) => {
    onChange({ ...query, ...patch });
    if (run) onRunQuery();
  };

  const outputs = useMemo(() => displayedTables(query.script), [query.script]);
  const outputOptions: Array<SelectableValue<string>> = [
    { label: 'All tables', value: '' },
    ...outputs.map((name) => ({ label: name, value: name })),
    ...(query.output && !outputs.includes(query.output)
      ? [{ label: query.output, value: query.output }]
      : []),
  ];
  const validation = validateQuery(query);

  return (
    <Stack direction="column" gap={1}>
      <Stack gap={1} wrap="wrap">
        <InlineField
          label="Script"
          tooltip="Fill the editor with one of pxgate's bundled PxL scripts"
        >
          <Select
            aria-label="Bundled script"
            placeholder={scripts.length ? 'Bundled scripts' : 'No bundled scripts'}
            options={scriptOptions}
            value={null}
            width={32}
            onChange={(picked) => {
              const script = scripts.find((s) => s.id === picked.value);
              if (!script) return;
              change(
                {
                  script: script.script,
                  func: undefined,
                  args: undefined,
                  output: '',
                  format: suggestedFormat(script.script, query.format),
                },
                true,
              );
            }}
          />
        </InlineField>
        <InlineField label="Output" tooltip="Which px.display table to show">
          <Select
            aria-label="Output table"
            options={outputOptions}
            value={query.output ?? ''}
            allowCustomValue
            width={24}
            onChange={(picked) => change({ output: picked.value ?? '' }, true)}
          />
        </InlineField>
        <InlineField label="Format">
          <RadioButtonGroup
            options={FORMAT_OPTIONS}
            value={query.format}
            onChange={(format) => change({ format }, true)}
          />
        </InlineField>
      </Stack>
      <PxlEditor
        label="PxL script"
        value={query.script}
        onChange={(script) => {
          if (script !== query.script) change({ script });
        }}
        onRunQuery={onRunQuery}
      />
      <Stack gap={1} wrap="wrap" alignItems="flex-start">
        <InlineField
          label="Function"
          tooltip="Call this function of the script, with the arguments beside, instead of running it top to bottom"
        >
          <Input
            aria-label="Function"
            placeholder="optional"
            width={24}
            value={func}
            onChange={(e) => setFunc(e.currentTarget.value)}
            onBlur={() => {
              if (func !== (query.func ?? '')) change({ func: func || undefined });
            }}
          />
        </InlineField>
        <InlineField label="Arguments">
          <ArgsEditor args={query.args} onChange={(args) => change({ args })} />
        </InlineField>
      </Stack>
      {!validation.valid && <Alert severity="warning" title={validation.error} />}
    </Stack>
  );
}
