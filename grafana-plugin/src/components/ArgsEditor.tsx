import { Button, IconButton, Input, Stack } from '@grafana/ui';
import { useMemo } from 'react';

import { useDraft } from './useDraft';

interface Props {
  args: Record<string, string> | undefined;
  onChange: (args: Record<string, string> | undefined) => void;
}

type Row = { name: string; value: string };

const toRows = (args: Record<string, string> | undefined): Row[] =>
  Object.entries(args ?? {}).map(([name, value]) => ({ name, value }));

function toArgs(rows: Row[]): Record<string, string> | undefined {
  const named = rows.filter((r) => r.name.trim() !== '');
  return named.length ? Object.fromEntries(named.map((r) => [r.name.trim(), r.value])) : undefined;
}

/** Name/value rows for a script function's arguments; a row is saved when an input loses focus. */
export function ArgsEditor({ args, onChange }: Props) {
  const storedRows = useMemo(() => toRows(args), [args]);
  const [rows, setRows] = useDraft<Row[]>(storedRows);

  const edit = (index: number, patch: Partial<Row>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const commit = (next: Row[] = rows) => onChange(toArgs(next));

  return (
    <Stack direction="column" gap={0.5}>
      {rows.map((row, i) => (
        <Stack key={i} gap={0.5} alignItems="center">
          <Input
            aria-label={`Argument ${i + 1} name`}
            placeholder="name"
            width={20}
            value={row.name}
            onChange={(e) => edit(i, { name: e.currentTarget.value })}
            onBlur={() => commit()}
          />
          <Input
            aria-label={`Argument ${i + 1} value`}
            placeholder="value ($__from, $service, ...)"
            width={40}
            value={row.value}
            onChange={(e) => edit(i, { value: e.currentTarget.value })}
            onBlur={() => commit()}
          />
          <IconButton
            name="trash-alt"
            tooltip={`Remove argument ${i + 1}`}
            onClick={() => {
              const next = rows.filter((_, j) => j !== i);
              setRows(next);
              commit(next);
            }}
          />
        </Stack>
      ))}
      <div>
        <Button
          size="sm"
          variant="secondary"
          icon="plus"
          onClick={() => setRows([...rows, { name: '', value: '' }])}
        >
          Add argument
        </Button>
      </div>
    </Stack>
  );
}
