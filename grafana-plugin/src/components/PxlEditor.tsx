import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { GrafanaTheme2 } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { useEffect, useRef } from 'react';

import { editorTheme, pxlHighlightStyle } from './pxlTheme';

const themed = (theme: GrafanaTheme2) => [
  editorTheme(theme),
  syntaxHighlighting(pxlHighlightStyle(theme)),
];

interface Props {
  value: string;
  /** Called with the text when the editor loses focus, and before a Shift+Enter run. */
  onChange: (text: string) => void;
  /** Shift+Enter. */
  onRunQuery?: () => void;
  label: string;
  height?: number;
}

/**
 * A PxL code editor: CodeMirror with the Python grammar (@lezer/python, the gateway's parser's
 * grammar too) in Grafana's colours. Shift+Enter runs the query; Tab indents (Esc, then Tab,
 * leaves the editor).
 */
export function PxlEditor({ value, onChange, onRunQuery, label, height = 220 }: Props) {
  const theme = useTheme2();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const themeSlot = useRef(new Compartment());
  const handlers = useRef({ onChange, onRunQuery });
  useEffect(() => {
    handlers.current = { onChange, onRunQuery };
  });

  useEffect(() => {
    const run = (v: EditorView) => {
      handlers.current.onChange(v.state.doc.toString());
      handlers.current.onRunQuery?.();
      return true;
    };
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          python(),
          themeSlot.current.of(themed(theme)),
          keymap.of([
            { key: 'Shift-Enter', run },
            indentWithTab,
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          EditorView.domEventHandlers({
            blur: (_event, v) => handlers.current.onChange(v.state.doc.toString()),
          }),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.theme({
            '&': { height: `${height}px` },
            '.cm-scroller': { overflow: 'auto' },
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; value and theme changes are applied by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label, height]);

  useEffect(() => {
    view.current?.dispatch({
      effects: themeSlot.current.reconfigure(themed(theme)),
    });
  }, [theme]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={host} data-testid="pxl-editor" />;
}
