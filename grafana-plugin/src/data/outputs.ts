/**
 * The names of the tables a script displays, for the query editor's output selector. Read from
 * the script's syntax tree (@lezer/python, the grammar the editor highlights with): every
 * `px.display(df, 'name')` or `px.display(df, name='name')`; without a name Pixie calls it
 * `output`.
 */
import { parser } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';

const DEFAULT_NAME = 'output';

function stringValue(source: string, node: SyntaxNode): string | undefined {
  if (node.name !== 'String') return undefined;
  const text = source.slice(node.from, node.to);
  const match = /^[uU]?(['"])([^'"\\]*)\1$/.exec(text);
  return match?.[2];
}

function displayName(source: string, args: SyntaxNode): string | undefined {
  const positional: SyntaxNode[] = [];
  let keyword: string | undefined;
  for (let child = args.firstChild; child; child = child.nextSibling) {
    if (['(', ')', ','].includes(child.name)) continue;
    if (child.name === 'VariableName' && child.nextSibling?.name === 'AssignOp') {
      const name = source.slice(child.from, child.to);
      const value = child.nextSibling.nextSibling;
      if (name === 'name' && value) keyword = stringValue(source, value);
      child = value ?? child;
      continue;
    }
    positional.push(child);
  }
  if (keyword !== undefined) return keyword;
  return positional[1] ? stringValue(source, positional[1]) : DEFAULT_NAME;
}

/** The displayed table names of `script`, in order, without repeats. Names built at run time are skipped. */
export function displayedTables(script: string): string[] {
  const names: string[] = [];
  const tree = parser.parse(script);
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'CallExpression') return;
      const callee = ref.node.firstChild;
      if (!callee || script.slice(callee.from, callee.to).replace(/\s/g, '') !== 'px.display')
        return;
      const args = callee.nextSibling;
      const name = args?.name === 'ArgList' ? displayName(script, args) : undefined;
      if (name !== undefined && !names.includes(name)) names.push(name);
    },
  });
  return names;
}
