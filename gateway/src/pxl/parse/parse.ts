import { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { BOUNDS, boundError } from '../bounds';
import { Loc, PxlError } from '../errors';
import * as A from './ast';
import { checkBracketNesting } from './nesting';
import { decodeStringLiteral } from './strings';

/** The largest script the parser takes, in characters. */
export const MAX_SCRIPT_CHARS = 1_000_000;

const PRAGMA_RE = /^#\s*px:set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/;

const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  IfStatement: '`if` statements',
  ForStatement: '`for` loops',
  WhileStatement: '`while` loops',
  WithStatement: '`with` statements',
  TryStatement: '`try` statements',
  ClassDefinition: 'classes',
  DecoratedStatement: 'decorators',
  UpdateStatement: 'augmented assignments (`+=` and the like)',
  DeleteStatement: '`del`',
  GlobalStatement: '`global`',
  NonlocalStatement: '`nonlocal`',
  RaiseStatement: '`raise`',
  AssertStatement: '`assert`',
  BreakStatement: '`break`',
  ContinueStatement: '`continue`',
  PrintStatement: '`print`',
  MatchStatement: '`match` statements',
  TypeDefinition: '`type` statements',
  ScopeStatement: 'scope statements',
};

const UNSUPPORTED_EXPRESSIONS: Record<string, string> = {
  ConditionalExpression: 'conditional expressions (`x if c else y`)',
  LambdaExpression: 'lambdas',
  AwaitExpression: '`await`',
  YieldExpression: '`yield`',
  SetExpression: 'sets',
  ArrayComprehensionExpression: 'comprehensions',
  DictionaryComprehensionExpression: 'comprehensions',
  SetComprehensionExpression: 'comprehensions',
  ComprehensionExpression: 'generator expressions',
  FormatString: 'f-strings',
  NamedExpression: 'assignment expressions (`:=`)',
  Ellipsis: '`...`',
};

/**
 * Parses PxL source into its syntax tree. Only the PxL subset of Python is accepted; anything
 * else is a PxlError naming what is not supported, with its line and column.
 */
export function parse(source: string): A.Module {
  if (source.length > MAX_SCRIPT_CHARS) {
    throw new PxlError(
      `script is longer than ${MAX_SCRIPT_CHARS} characters`,
      undefined,
      'limit-exceeded',
    );
  }
  checkBracketNesting(source);
  return new Parser(withMissingCommas(source)).module();
}

const KEYWORD_ARG_START = /^[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)/;
const MAX_REPAIRS = 50;

/**
 * Pixie's parser accepts keyword arguments on separate lines without the comma between them
 * (`agg(\n  a=(...)\n  b=(...))`), and some of its own scripts rely on that. This adds such
 * commas, at the end of the line before, so those scripts parse; every location stays where
 * it was. Any other syntax error is left for the parser to report.
 */
function withMissingCommas(source: string): string {
  let text = source;
  for (let i = 0; i < MAX_REPAIRS; i++) {
    const tree = parser.parse(text);
    let at = -1;
    tree.iterate({
      enter: (n) => {
        if (at >= 0) return false;
        if (n.type.isError) at = n.from;
        return undefined;
      },
    });
    if (at < 0) return text;
    const before = text.slice(0, at);
    const gap = /\s*$/.exec(before)![0];
    const inArgs = tree.resolveInner(at, -1);
    let args = false;
    for (let n: SyntaxNode | null = inArgs; n; n = n.parent) if (n.name === 'ArgList') args = true;
    if (!args || !gap.includes('\n') || !KEYWORD_ARG_START.test(text.slice(at))) return text;
    const end = at - gap.length;
    text = `${text.slice(0, end)},${text.slice(end)}`;
  }
  return text;
}

class Parser {
  private readonly lineStarts: number[] = [0];
  /** Sub-expressions open around the one being read: deep ones are refused, not recursed into. */
  private depth = 0;

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  module(): A.Module {
    const tree = parser.parse(this.src);
    this.rejectSyntaxErrors(tree.topNode);
    const pragmas: A.Pragma[] = [];
    const stmts: SyntaxNode[] = [];
    for (let c = tree.topNode.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Comment') {
        const m = PRAGMA_RE.exec(this.text(c));
        if (m) pragmas.push({ name: m[1]!, value: m[2]!, loc: this.loc(c) });
      } else {
        stmts.push(c);
      }
    }
    const { doc, body } = this.block(stmts, 0);
    const stray = body.find((st) => st.kind === 'return');
    if (stray) throw new PxlError('`return` outside a function', stray.loc);
    return { doc, body, pragmas };
  }

  private rejectSyntaxErrors(top: SyntaxNode): void {
    const cursor = top.cursor();
    do {
      if (cursor.type.isError) {
        const at = cursor.from;
        if (at >= this.src.length) {
          throw new PxlError('unexpected end of script', this.locAt(this.src.length));
        }
        const near = this.src.slice(at).split('\n')[0]!.trim().slice(0, 30);
        throw new PxlError(
          near ? `invalid syntax near "${near}"` : 'invalid syntax',
          this.locAt(at),
        );
      }
    } while (cursor.next());
  }

  /**
   * Statements of a module or function body; a leading string literal is the docstring. The
   * statements that start their lines must be indented alike (the module's at `indent` 0), as
   * Python requires: the grammar reads a deeper line at the top level as one more statement, so
   * `x = 'a'` with `'b'` indented below it would otherwise lose `'b'` without a word.
   */
  private block(
    nodes: readonly SyntaxNode[],
    indent?: number,
  ): { doc: string | undefined; body: A.Stmt[] } {
    let doc: string | undefined;
    let expected = indent;
    let prevEnd = -1;
    const body: A.Stmt[] = [];
    nodes.forEach((n, i) => {
      if (n.name === 'Comment') return;
      const column = this.indentOf(n);
      if (column !== undefined) {
        expected ??= column;
        if (column !== expected) {
          // Out of a function body, but not back to an enclosing block's indentation.
          const dedent = prevEnd >= 0 && this.lineIndent(prevEnd - 1) > column;
          throw new PxlError(
            dedent ? 'unindent does not match any outer indentation level' : 'unexpected indent',
            this.loc(n),
          );
        }
      }
      prevEnd = n.to;
      if (i === 0 && n.name === 'ExpressionStatement') {
        const only = n.firstChild;
        if (only && (only.name === 'String' || only.name === 'ContinuedString')) {
          doc = this.stringValue(only);
          return;
        }
      }
      body.push(this.statement(n));
    });
    return { doc, body };
  }

  private statement(n: SyntaxNode): A.Stmt {
    const loc = this.loc(n);
    switch (n.name) {
      case 'ExpressionStatement':
        return { kind: 'expr', value: this.expr(this.onlyChild(n)), loc };
      case 'AssignStatement':
        return this.assign(n);
      case 'ImportStatement':
        return this.importStmt(n);
      case 'FunctionDefinition':
        return this.functionDef(n);
      case 'ReturnStatement': {
        const value = n.getChild('return')?.nextSibling;
        return { kind: 'return', value: value ? this.expr(value) : undefined, loc };
      }
      case 'PassStatement':
        return { kind: 'pass', loc };
      default: {
        const what = UNSUPPORTED_STATEMENTS[n.name] ?? `this statement (${n.name})`;
        throw new PxlError(`${what} ${isAre(what)} not supported in PxL`, loc);
      }
    }
  }

  private assign(n: SyntaxNode): A.AssignStmt {
    const ops = n.getChildren('AssignOp');
    if (ops.length !== 1) {
      throw new PxlError('chained assignment (`a = b = c`) is not supported', this.loc(n));
    }
    const value = ops[0]!.nextSibling;
    const target = n.firstChild!;
    if (!value) throw new PxlError('assignment without a value', this.loc(n));
    const t = this.expr(target);
    if (t.kind !== 'name' && t.kind !== 'attribute' && t.kind !== 'subscript') {
      throw new PxlError(
        'only a name, `df.column` or `df["column"]` can be assigned to',
        this.loc(target),
      );
    }
    return { kind: 'assign', target: t, value: this.expr(value), loc: this.loc(n) };
  }

  private importStmt(n: SyntaxNode): A.ImportStmt {
    const loc = this.loc(n);
    if (n.getChild('from')) {
      throw new PxlError('`from ... import` is not supported; write `import px`', loc);
    }
    const names = n.getChildren('VariableName');
    const module = names[0] ? this.text(names[0]) : '';
    if (module !== 'px' || names.length > 2 || n.getChildren(',').length > 0) {
      throw new PxlError(`only \`import px\` is supported, not \`${this.text(n)}\``, loc);
    }
    const alias = n.getChild('as') && names[1] ? this.text(names[1]) : 'px';
    return { kind: 'import', module, alias, loc };
  }

  private functionDef(n: SyntaxNode): A.FunctionDef {
    this.enter(n);
    try {
      return this.functionDefAt(n);
    } finally {
      this.depth--;
    }
  }

  private functionDefAt(n: SyntaxNode): A.FunctionDef {
    const loc = this.loc(n);
    const name = this.text(n.getChild('VariableName')!);
    const params = this.params(n.getChild('ParamList')!);
    const body = n.getChild('Body')!;
    const stmts: SyntaxNode[] = [];
    for (let c = body.firstChild; c; c = c.nextSibling) if (c.name !== ':') stmts.push(c);
    const block = this.block(stmts);
    return { kind: 'def', name, params, doc: block.doc, body: block.body, loc };
  }

  private params(list: SyntaxNode): A.Param[] {
    const params: A.Param[] = [];
    let current: { name: string; annotation?: string; default?: A.Expr; loc: Loc } | undefined;
    const flush = () => {
      if (current) {
        params.push({
          name: current.name,
          annotation: current.annotation,
          default: current.default,
          loc: current.loc,
        });
      }
      current = undefined;
    };
    for (let c = list.firstChild; c; c = c.nextSibling) {
      switch (c.name) {
        case '(':
        case ')':
        case 'Comment':
          break;
        case ',':
          flush();
          break;
        case 'VariableName':
          current = { name: this.text(c), loc: this.loc(c) };
          break;
        case 'TypeDef':
          if (current) current.annotation = this.text(c).replace(/^:\s*/, '').trim();
          break;
        case 'AssignOp':
          if (current && c.nextSibling) {
            current.default = this.expr(c.nextSibling);
            c = c.nextSibling;
          }
          break;
        default:
          throw new PxlError(
            '`*args`, `**kwargs` and positional-only markers are not supported',
            this.loc(c),
          );
      }
    }
    flush();
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) throw new PxlError(`duplicate parameter "${p.name}"`, p.loc);
      seen.add(p.name);
    }
    return params;
  }

  private expr(n: SyntaxNode): A.Expr {
    this.enter(n);
    try {
      return this.exprAt(n);
    } finally {
      this.depth--;
    }
  }

  /** Counts one more level of nesting at `n`, refusing the script past the bound. */
  private enter(n: SyntaxNode): void {
    if (++this.depth > BOUNDS.nesting) {
      throw boundError(
        'nesting',
        `the expression nests more than ${BOUNDS.nesting} levels deep`,
        'give its inner parts names of their own',
        this.loc(n),
      );
    }
  }

  private exprAt(n: SyntaxNode): A.Expr {
    const loc = this.loc(n);
    switch (n.name) {
      case 'VariableName':
        return { kind: 'name', id: this.text(n), loc };
      case 'Number':
        return this.number(n);
      case 'String':
      case 'ContinuedString':
        return { kind: 'string', value: this.stringValue(n), loc };
      case 'Boolean':
        return { kind: 'bool', value: this.text(n) === 'True', loc };
      case 'None':
        return { kind: 'none', loc };
      case 'ParenthesizedExpression':
        // Brackets add no level to the tree (their own nesting is bounded before parsing).
        return this.exprAt(this.onlyChild(n));
      case 'ArrayExpression':
        return { kind: 'list', items: this.items(n), loc };
      case 'TupleExpression':
        return { kind: 'tuple', items: this.items(n), loc };
      case 'DictionaryExpression':
        return this.dict(n);
      case 'MemberExpression':
        return this.member(n);
      case 'CallExpression':
        return this.call(n);
      case 'BinaryExpression':
        return isBoolean(n) ? this.booleanChain(n) : this.binary(n);
      case 'UnaryExpression':
        return isBoolean(n) ? this.booleanChain(n) : this.unary(n);
      default: {
        const what = UNSUPPORTED_EXPRESSIONS[n.name] ?? `this expression (${n.name})`;
        throw new PxlError(`${what} ${isAre(what)} not supported in PxL`, loc);
      }
    }
  }

  private number(n: SyntaxNode): A.Expr {
    const loc = this.loc(n);
    const text = this.text(n).replace(/_/g, '');
    if (/[jJ]$/.test(text)) throw new PxlError('complex numbers are not supported', loc);
    if (/^0[xXoObB]/.test(text)) return { kind: 'int', value: BigInt(text.toLowerCase()), loc };
    if (/^\d+$/.test(text)) return { kind: 'int', value: BigInt(text), loc };
    const value = Number(text);
    if (Number.isNaN(value)) throw new PxlError(`"${this.text(n)}" is not a number`, loc);
    return { kind: 'float', value, loc };
  }

  private stringValue(n: SyntaxNode): string {
    if (n.name === 'ContinuedString') {
      return n.getChildren('String').reduce((s, part) => s + this.stringValue(part), '');
    }
    if (n.name === 'FormatString') {
      throw new PxlError('f-strings are not supported in PxL', this.loc(n));
    }
    const decoded = decodeStringLiteral(this.text(n));
    if ('error' in decoded) throw new PxlError(decoded.error, this.loc(n));
    return decoded.value;
  }

  private items(n: SyntaxNode): A.Expr[] {
    const items: A.Expr[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (['[', ']', '(', ')', ',', 'Comment'].includes(c.name)) continue;
      if (c.name === '*') throw new PxlError('unpacking (`*x`) is not supported', this.loc(c));
      items.push(this.expr(c));
    }
    return items;
  }

  private dict(n: SyntaxNode): A.DictExpr {
    const parts: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === '**') throw new PxlError('unpacking (`**x`) is not supported', this.loc(c));
      if (!['{', '}', ',', ':', 'Comment'].includes(c.name)) parts.push(c);
    }
    const entries: { key: A.Expr; value: A.Expr }[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      entries.push({ key: this.expr(parts[i]!), value: this.expr(parts[i + 1]!) });
    }
    return { kind: 'dict', entries, loc: this.loc(n) };
  }

  private member(n: SyntaxNode): A.Expr {
    const loc = this.loc(n);
    const object = this.expr(n.firstChild!);
    const prop = n.getChild('PropertyName');
    if (prop && n.getChild('.')) return { kind: 'attribute', object, name: this.text(prop), loc };
    if (n.getChild(':')) throw new PxlError('slices are not supported in PxL', loc);
    const parts: SyntaxNode[] = [];
    for (let c = n.firstChild!.nextSibling; c; c = c.nextSibling) {
      if (!['[', ']', ',', 'Comment'].includes(c.name)) parts.push(c);
    }
    if (parts.length === 0) throw new PxlError('empty subscript', loc);
    const index: A.Expr =
      parts.length === 1
        ? this.expr(parts[0]!)
        : { kind: 'tuple', items: parts.map((p) => this.expr(p)), loc: this.loc(parts[0]!) };
    return { kind: 'subscript', object, index, loc };
  }

  private call(n: SyntaxNode): A.CallExpr {
    const callee = this.expr(n.firstChild!);
    const list = n.getChild('ArgList')!;
    const args: A.Expr[] = [];
    const kwargs: A.KeywordArg[] = [];
    for (let c = list.firstChild; c; c = c.nextSibling) {
      if (['(', ')', ',', 'Comment'].includes(c.name)) continue;
      if (c.name === '*' || c.name === '**') {
        throw new PxlError('argument unpacking (`*x`, `**x`) is not supported', this.loc(c));
      }
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') {
        const value = c.nextSibling.nextSibling!;
        const name = this.text(c);
        if (kwargs.some((k) => k.name === name)) {
          throw new PxlError(`keyword argument "${name}" is repeated`, this.loc(c));
        }
        kwargs.push({ name, value: this.expr(value), loc: this.loc(c) });
        c = value;
        continue;
      }
      if (kwargs.length > 0) {
        throw new PxlError('a positional argument follows a keyword argument', this.loc(c));
      }
      args.push(this.expr(c));
    }
    return { kind: 'call', callee, args, kwargs, loc: this.loc(n) };
  }

  private binary(n: SyntaxNode): A.Expr {
    const loc = this.loc(n);
    const left = first(n);
    const opNode = next(left);
    let right = next(opNode);
    const l = this.expr(left);
    switch (opNode.name) {
      case 'ArithOp':
      case 'BitOp':
        return {
          kind: 'binary',
          op: this.text(opNode) as A.BinaryOperator,
          left: l,
          right: this.expr(right),
          loc,
        };
      case 'and':
      case 'or':
        return { kind: 'boolop', op: opNode.name, left: l, right: this.expr(right), loc };
      case 'CompareOp':
      case 'in':
      case 'not': {
        let op = opNode.name === 'CompareOp' ? this.text(opNode) : opNode.name;
        if (op === 'not') {
          op = 'not in';
          right = next(right);
        }
        if (op === '<>') op = '!=';
        if (isComparison(left)) {
          throw new PxlError('chained comparisons (`a < b < c`) are not supported; use `and`', loc);
        }
        return {
          kind: 'compare',
          op: op as A.CompareOperator,
          left: l,
          right: this.expr(right),
          loc,
        };
      }
      case 'is':
        throw new PxlError('`is` is not supported in PxL; use `==` or `!=`', this.loc(opNode));
      default:
        throw new PxlError(`operator "${this.text(opNode)}" is not supported`, this.loc(opNode));
    }
  }

  /**
   * `and`, `or` and `not` with Python's precedence (`not` above `and` above `or`). The grammar
   * lets `not` take everything after it (`not a and b` as `not (a and b)`), so the chain is
   * flattened back into its tokens, in source order, and parsed again here.
   */
  private booleanChain(n: SyntaxNode): A.Expr {
    type Token = SyntaxNode | { op: 'and' | 'or' | 'not'; loc: Loc };
    const tokens: Token[] = [];
    const flatten = (x: SyntaxNode) => {
      if (!isBoolean(x)) {
        tokens.push(x);
      } else if (x.name === 'UnaryExpression') {
        tokens.push({ op: 'not', loc: this.loc(x) });
        flatten(next(first(x)));
      } else {
        const op = next(first(x));
        flatten(first(x));
        tokens.push({ op: op.name as 'and' | 'or', loc: this.loc(op) });
        flatten(next(op));
      }
    };
    flatten(n);
    let at = 0;
    const isOp = (t: Token | undefined, op: string) => t !== undefined && 'op' in t && t.op === op;
    /** Operands joined by `op`, left to right (`a and b and c` is `(a and b) and c`). */
    // Each `and`, `or` and `not` nests its operands one level deeper in the tree.
    let levels = 0;
    const deeper = (loc: Loc) => {
      if (++levels > BOUNDS.nesting) {
        throw boundError(
          'nesting',
          `the condition chains more than ${BOUNDS.nesting} and/or/not`,
          'split it into named conditions',
          loc,
        );
      }
    };
    const chain = (op: 'and' | 'or', operand: () => A.Expr) => (): A.Expr => {
      let left = operand();
      while (isOp(tokens[at], op)) {
        deeper((tokens[at] as { loc: Loc }).loc);
        at++;
        left = { kind: 'boolop', op, left, right: operand(), loc: left.loc };
      }
      return left;
    };
    const parseNot = (): A.Expr => {
      const t = tokens[at++]!;
      if ('op' in t) {
        deeper(t.loc);
        return { kind: 'unary', op: 'not', operand: parseNot(), loc: t.loc };
      }
      return this.expr(t);
    };
    return chain('or', chain('and', parseNot))();
  }

  private unary(n: SyntaxNode): A.Expr {
    const opNode = first(n);
    const op = opNode.name === 'not' ? 'not' : this.text(opNode);
    if (op !== '-' && op !== '+' && op !== 'not' && op !== '~') {
      throw new PxlError(`operator "${op}" is not supported`, this.loc(opNode));
    }
    return { kind: 'unary', op, operand: this.expr(next(opNode)), loc: this.loc(n) };
  }

  private onlyChild(n: SyntaxNode): SyntaxNode {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name !== '(' && c.name !== ')' && c.name !== 'Comment') return c;
    }
    throw new PxlError('empty expression', this.loc(n));
  }

  private text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  /** The column (from 0) a node starts at, when only whitespace comes before it on its line. */
  private indentOf(n: SyntaxNode): number | undefined {
    const lineStart = this.lineStarts[this.locAt(n.from).line - 1]!;
    return this.src.slice(lineStart, n.from).trim() === '' ? n.from - lineStart : undefined;
  }

  /** The indentation of the line holding `offset`. */
  private lineIndent(offset: number): number {
    const lineStart = this.lineStarts[this.locAt(offset).line - 1]!;
    return /^[ \t]*/.exec(this.src.slice(lineStart))![0].length;
  }

  private loc(n: SyntaxNode): Loc {
    return this.locAt(n.from);
  }

  private locAt(offset: number): Loc {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
}

/** The first child that is not a comment (comments may sit inside bracketed expressions). */
function first(n: SyntaxNode): SyntaxNode {
  let c = n.firstChild!;
  while (c.name === 'Comment') c = c.nextSibling!;
  return c;
}

/** The next sibling that is not a comment. */
function next(n: SyntaxNode): SyntaxNode {
  let c = n.nextSibling!;
  while (c.name === 'Comment') c = c.nextSibling!;
  return c;
}

/** An `and`/`or` expression or a `not`. */
function isBoolean(n: SyntaxNode): boolean {
  if (n.name === 'UnaryExpression') return first(n).name === 'not';
  if (n.name !== 'BinaryExpression') return false;
  const op = next(first(n)).name;
  return op === 'and' || op === 'or';
}

function isComparison(n: SyntaxNode): boolean {
  if (n.name !== 'BinaryExpression') return false;
  const op = next(first(n)).name;
  return op === 'CompareOp' || op === 'in' || op === 'not';
}

function isAre(what: string): string {
  return /s\)?`?$/.test(what.replace(/\s*\(.*\)$/, '')) ? 'are' : 'is';
}
