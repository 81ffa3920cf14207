import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import scripts from '@pxgate/scripts';
import { useState } from 'react';

import type { PxgateDataSource } from '../datasource/PxgateDataSource';
import { PxgateQuery } from '../types/query';
import { QueryEditor } from './QueryEditor';

const SCRIPT = `import px
df = px.DataFrame(table='http_events', start_time=$__from)
px.display(df, 'requests')
px.display(df[df.resp_status >= 500], 'errors')
`;

/** The data source as the editor sees it: the catalog its backend lists. */
const datasource = { scripts: async () => scripts } as unknown as PxgateDataSource;

/** Holds the query as a panel editor does; records changes and runs. */
function renderEditor(initial: Partial<PxgateQuery>) {
  const changes: PxgateQuery[] = [];
  const runs: PxgateQuery[] = [];
  function Panel() {
    const [query, setQuery] = useState(initial as PxgateQuery);
    return (
      <QueryEditor
        datasource={datasource}
        query={query}
        onChange={(q) => {
          changes.push(q);
          setQuery(q);
        }}
        onRunQuery={() => runs.push(changes.at(-1) ?? query)}
      />
    );
  }
  render(<Panel />);
  return { changes, runs };
}

function editorView(): EditorView {
  const dom = screen.getByTestId('pxl-editor').querySelector('.cm-editor') as HTMLElement;
  return EditorView.findFromDOM(dom)!;
}

const current = { refId: 'A', version: 1, script: SCRIPT, format: 'table' as const };

describe('QueryEditor', () => {
  it('shows the script in a PxL editor with Python highlighting', () => {
    renderEditor(current);
    expect(editorView().state.doc.toString()).toBe(SCRIPT);
    expect(screen.getByLabelText('PxL script')).toHaveTextContent("px.display(df, 'requests')");
    // the grammar tags keywords and strings, which the theme colours
    expect(
      screen.getByTestId('pxl-editor').querySelectorAll('.cm-line span').length,
    ).toBeGreaterThan(3);
  });

  it('runs the edited script on Shift+Enter', () => {
    const { changes, runs } = renderEditor(current);
    const view = editorView();
    act(() => view.dispatch({ changes: { from: view.state.doc.length, insert: '# edited\n' } }));
    fireEvent.keyDown(view.contentDOM, {
      key: 'Enter',
      code: 'Enter',
      keyCode: 13,
      shiftKey: true,
    });
    expect(changes.at(-1)!.script).toBe(`${SCRIPT}# edited\n`);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.script).toBe(`${SCRIPT}# edited\n`);
  });

  it('saves the script when the editor loses focus, without running it', () => {
    const { changes, runs } = renderEditor(current);
    const view = editorView();
    act(() =>
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: 'import px\n' } }),
    );
    fireEvent.blur(view.contentDOM);
    expect(changes.at(-1)!.script).toBe('import px\n');
    expect(runs).toHaveLength(0);
  });

  it('fills the editor with a bundled script, picks its format, and runs it', async () => {
    const { changes, runs } = renderEditor(current);
    const serviceMap = scripts.find((s) => s.id === 'service_map')!;
    await userEvent.click(screen.getByLabelText('Bundled script'));
    await userEvent.click(await screen.findByText(serviceMap.name));
    expect(changes.at(-1)).toMatchObject({
      script: serviceMap.script,
      format: 'node_graph',
      output: '',
    });
    expect(editorView().state.doc.toString()).toBe(serviceMap.script);
    expect(runs).toHaveLength(1);
  });

  it('offers the tables the script displays as outputs', async () => {
    const { changes } = renderEditor(current);
    await userEvent.click(screen.getByLabelText('Output table'));
    expect(await screen.findByText('requests')).toBeInTheDocument();
    await userEvent.click(screen.getByText('errors'));
    expect(changes.at(-1)!.output).toBe('errors');
  });

  it('switches the format and runs', async () => {
    const { changes, runs } = renderEditor(current);
    await userEvent.click(screen.getByLabelText('Time series'));
    expect(changes.at(-1)!.format).toBe('time_series');
    expect(runs).toHaveLength(1);
  });

  it('edits the function and its arguments', async () => {
    const { changes } = renderEditor(current);
    await userEvent.type(screen.getByLabelText('Function'), 'service_stats');
    await userEvent.tab();
    expect(changes.at(-1)!.func).toBe('service_stats');
    await userEvent.click(screen.getByRole('button', { name: /Add argument/ }));
    await userEvent.type(screen.getByLabelText('Argument 1 name'), 'window');
    await userEvent.type(screen.getByLabelText('Argument 1 value'), '$__interval');
    await userEvent.tab();
    expect(changes.at(-1)!.args).toEqual({ window: '$__interval' });
  });

  it("upgrades a query saved by Pixie's plugin when it opens", () => {
    const { changes } = renderEditor({ refId: 'A', pxlScript: 'x = __time_from' } as never);
    expect(changes[0]).toEqual({
      refId: 'A',
      version: 1,
      script: 'x = $__from',
      format: 'time_series',
    });
  });
});
