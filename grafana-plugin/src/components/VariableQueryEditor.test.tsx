import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';

import type { PxgateDataSource } from '../datasource/PxgateDataSource';
import { PxgateVariableQuery } from '../types/variables';
import { VariableQueryEditor } from './VariableQueryEditor';

function renderEditor(initial: unknown) {
  const changes: PxgateVariableQuery[] = [];
  function Variable() {
    const [query, setQuery] = useState(initial as PxgateVariableQuery);
    return (
      <VariableQueryEditor
        datasource={{} as PxgateDataSource}
        query={query}
        onChange={(q) => {
          changes.push(q);
          setQuery(q);
        }}
        onRunQuery={() => undefined}
      />
    );
  }
  render(<Variable />);
  return changes;
}

describe('VariableQueryEditor', () => {
  it('starts a new variable as a list of namespaces', () => {
    renderEditor('');
    expect(screen.getByText('Namespaces')).toBeInTheDocument();
    expect(screen.queryByLabelText('Namespace filter')).not.toBeInTheDocument();
  });

  it('filters services by namespace', async () => {
    const changes = renderEditor({ refId: 'v', kind: 'services' });
    await userEvent.type(screen.getByLabelText('Namespace filter'), '$namespace');
    await userEvent.tab();
    expect(changes.at(-1)).toEqual({ refId: 'v', kind: 'services', namespace: '$namespace' });
  });

  it('switches to a script, starting from an example', async () => {
    const changes = renderEditor({ refId: 'v', kind: 'namespaces' });
    await userEvent.click(screen.getByLabelText('Variable values'));
    await userEvent.click(await screen.findByText('Script'));
    expect(changes.at(-1)).toMatchObject({
      kind: 'script',
      script: expect.stringContaining("groupby('req_method')"),
    });
    expect(screen.getByLabelText('Variable script')).toHaveTextContent('import px');
  });
});
