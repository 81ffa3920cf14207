import { HighlightStyle } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { GrafanaTheme2 } from '@grafana/data';
import { tags } from '@lezer/highlight';

/** CodeMirror's look in Grafana's colours, so the editor sits with Grafana's own inputs. */
export function editorTheme(theme: GrafanaTheme2): Extension {
  return EditorView.theme(
    {
      '&': {
        backgroundColor: theme.components.input.background,
        color: theme.components.input.text,
        border: `1px solid ${theme.components.input.borderColor}`,
        borderRadius: theme.shape.radius.default,
        fontSize: theme.typography.bodySmall.fontSize,
      },
      '&.cm-focused': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: '-1px' },
      '.cm-scroller': { fontFamily: theme.typography.fontFamilyMonospace, lineHeight: '1.5' },
      '.cm-content': { caretColor: theme.colors.text.primary },
      '.cm-gutters': {
        backgroundColor: theme.colors.background.secondary,
        color: theme.colors.text.disabled,
        border: 'none',
      },
      '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: theme.colors.action.hover },
      '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
        backgroundColor: theme.colors.action.selected,
      },
      '.cm-matchingBracket': { backgroundColor: theme.colors.action.focus },
    },
    { dark: theme.isDark },
  );
}

/** PxL (Python) token colours from Grafana's visualization palette. */
export function pxlHighlightStyle(theme: GrafanaTheme2): HighlightStyle {
  const color = (name: string) => theme.visualization.getColorByName(name);
  return HighlightStyle.define([
    {
      tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword],
      color: color('purple'),
    },
    { tag: [tags.string, tags.special(tags.string)], color: color('green') },
    { tag: [tags.number, tags.bool, tags.null], color: color('orange') },
    { tag: tags.comment, color: theme.colors.text.secondary, fontStyle: 'italic' },
    {
      tag: [tags.function(tags.variableName), tags.function(tags.propertyName)],
      color: color('blue'),
    },
    { tag: tags.definition(tags.variableName), color: color('yellow') },
    { tag: tags.operator, color: theme.colors.text.secondary },
  ]);
}
