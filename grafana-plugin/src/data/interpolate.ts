/**
 * Fills a PxL script's macros and template variables. Each variable reference becomes a literal
 * (in code), or escaped content (inside a string), never script text: whatever a variable's value,
 * the script keeps the structure its author wrote. References inside comments are left alone.
 */
import { QueryRequestBody } from '../types/gateway';
import { PxgateQuery } from '../types/query';
import { isMacroName, macroText, MacroValues } from './macros';
import { escapeStringContent, pxlNumber, pxlString, pxlStringList } from './pxlLiteral';
import { scan, Segment, segmentText } from './scanner';

/** Looks up template variables; `undefined` when no variable has that name. */
export interface TemplateValues {
  resolve(name: string, fieldPath?: string): unknown;
}

/** A variable's value as the browser resolved it: text, or a list for multi-value and "All". */
export type TemplateValue = string | string[];

/** Resolved values by reference key: `name`, or `name.fieldPath` for `${name.fieldPath}`. */
export type TemplateValueMap = Record<string, TemplateValue>;

/** The key of a reference in a TemplateValueMap. */
export function templateKey(name: string, fieldPath?: string): string {
  return fieldPath === undefined ? name : `${name}.${fieldPath}`;
}

/**
 * Template variables from values resolved beforehand, as the browser sends them to the backend
 * (which has no TemplateSrv). A key that is not in the map names no variable.
 */
export function resolvedTemplateValues(values: TemplateValueMap): TemplateValues {
  return {
    resolve: (name, fieldPath) => {
      const key = templateKey(name, fieldPath);
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
    },
  };
}

/** A variable reference that cannot be filled safely; the message names the variable. */
export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

/**
 * `$name` and `${name}`, `${name.field}`, `${name:format}`, as Grafana writes them. Grafana's
 * deprecated `[[name]]` is not supported: in PxL it would clash with `df[[col]]`.
 */
const REFERENCE = /\$(\w+)|\$\{(\w+)(?:\.([^:}]+))?(?::([^}]+))?\}/g;
const IDENTIFIER_END = /[\p{L}\p{N}_.]$/u;

interface Reference {
  name: string;
  fieldPath?: string;
  format?: string;
}

/**
 * Replaces the references in `text`: a macro by its digits, a variable by what `fill` makes of its
 * value (`before` is the text ahead of the reference). A reference to no variable stays as written.
 */
function fillReferences(
  text: string,
  macros: MacroValues,
  vars: TemplateValues,
  fill: (ref: Reference, value: unknown, before: string) => string,
): string {
  return text.replace(REFERENCE, (match, plain, braced, fieldPath, format, offset: number) => {
    const ref: Reference = { name: plain ?? braced, fieldPath, format };
    if (fieldPath === undefined && format === undefined && isMacroName(ref.name)) {
      return macroText(ref.name, macros);
    }
    const resolved = vars.resolve(ref.name, fieldPath);
    return resolved === undefined ? match : fill(ref, resolved, text.slice(0, offset));
  });
}

/**
 * The variables `text` refers to (macros left out), resolved through `vars`: what the browser
 * sends so that the backend can fill them together with the macros, in one pass.
 */
export function resolveReferences(text: string, vars: TemplateValues): TemplateValueMap {
  const values: TemplateValueMap = {};
  for (const match of text.matchAll(REFERENCE)) {
    const [, plain, braced, fieldPath, format] = match;
    const name = (plain ?? braced)!;
    if (fieldPath === undefined && format === undefined && isMacroName(name)) continue;
    const value = vars.resolve(name, fieldPath);
    if (value === undefined || value === null) continue;
    values[templateKey(name, fieldPath)] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return values;
}

/** Fills macros and variables in `script`. Throws InterpolationError for an unsafe reference. */
export function interpolateScript(
  script: string,
  macros: MacroValues,
  vars: TemplateValues,
): string {
  return scan(script)
    .map((segment) => {
      switch (segment.kind) {
        case 'comment':
          return segment.text;
        case 'code':
          return interpolateCode(segment.text, macros, vars);
        case 'string':
          return interpolateString(segment, macros, vars);
      }
    })
    .join('');
}

/** The gateway request of a query: its script, function and arguments with macros and variables filled. */
export function interpolateQuery(
  query: PxgateQuery,
  macros: MacroValues,
  vars: TemplateValues,
): QueryRequestBody {
  const body: QueryRequestBody = { script: interpolateScript(query.script, macros, vars) };
  if (query.func) body.func = query.func;
  if (query.args && Object.keys(query.args).length > 0) {
    body.args = Object.fromEntries(
      Object.entries(query.args).map(([name, value]) => [
        name,
        interpolateArg(value, macros, vars),
      ]),
    );
  }
  return body;
}

/** The values of the variables a query's script and arguments refer to. */
export function queryTemplateValues(query: PxgateQuery, vars: TemplateValues): TemplateValueMap {
  return Object.assign(
    resolveReferences(query.script, vars),
    ...Object.values(query.args ?? {}).map((value) => resolveReferences(value, vars)),
  );
}

/** Fills macros and variables in a function argument, which is data: values go in as they are. */
export function interpolateArg(value: string, macros: MacroValues, vars: TemplateValues): string {
  return fillReferences(value, macros, vars, plainText);
}

function interpolateCode(code: string, macros: MacroValues, vars: TemplateValues): string {
  return fillReferences(code, macros, vars, (ref, resolved, before) => {
    const literal = codeLiteral(ref, resolved);
    // `f$var` must not become the f-string `f'...'`, nor `x$n` the name `x5`.
    return IDENTIFIER_END.test(before) ? ` ${literal}` : literal;
  });
}

function codeLiteral(ref: Reference, value: unknown): string {
  if (ref.format === 'int' || ref.format === 'float') return numberLiteral(ref, value, ref.format);
  if (ref.format !== undefined) throw unsupportedFormat(ref);
  return Array.isArray(value) ? pxlStringList(value.map(String)) : pxlString(String(value));
}

function numberLiteral(ref: Reference, value: unknown, kind: 'int' | 'float'): string {
  const text = Array.isArray(value) && value.length === 1 ? String(value[0]) : String(value);
  const literal = Array.isArray(value) && value.length !== 1 ? undefined : pxlNumber(text, kind);
  if (literal === undefined) {
    throw new InterpolationError(
      `variable $${ref.name}: ${JSON.stringify(value)} is not ${kind === 'int' ? 'an integer' : 'a number'}`,
    );
  }
  return literal;
}

function plainText(ref: Reference, value: unknown): string {
  if (ref.format === 'int' || ref.format === 'float')
    return numberLiteral(ref, value, ref.format).slice(1, -1);
  if (ref.format !== undefined) throw unsupportedFormat(ref);
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

function unsupportedFormat(ref: Reference): InterpolationError {
  return new InterpolationError(
    `variable $${ref.name}: format "${ref.format}" is not supported in PxL; use $${ref.name}, ` +
      `\${${ref.name}:int} or \${${ref.name}:float}`,
  );
}

type StringSegment = Extract<Segment, { kind: 'string' }>;

function interpolateString(
  segment: StringSegment,
  macros: MacroValues,
  vars: TemplateValues,
): string {
  const body = fillReferences(segment.body, macros, vars, (ref, resolved) =>
    stringContent(segment, ref, plainText(ref, resolved)),
  );
  return segmentText({ ...segment, body });
}

function stringContent(segment: StringSegment, ref: Reference, value: string): string {
  const prefix = segment.prefix.toLowerCase();
  if (prefix.includes('b')) {
    throw new InterpolationError(
      `variable $${ref.name}: variables cannot be used in bytes literals`,
    );
  }
  let content = escapeStringContent(value, segment.quote);
  if (prefix.includes('r')) {
    // A raw string has no escapes; only values that need none are safe in it.
    if (content !== value) {
      throw new InterpolationError(
        `variable $${ref.name}: its value ${JSON.stringify(value)} needs escaping, which a raw ` +
          `string (r'...') cannot do; use the variable outside the string`,
      );
    }
    content = value;
  }
  // In an f-string a brace would open an expression: `{{` and `}}` are literal braces.
  return prefix.includes('f') ? content.replace(/[{}]/g, (brace) => brace + brace) : content;
}
