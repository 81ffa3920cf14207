import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../common/package-info';
import { Expr } from './parse/ast';
import { parse } from './parse/parse';

/** A parameter of a script's entry function, for user interfaces. */
export interface ScriptParam {
  readonly name: string;
  readonly type: string;
  readonly default: string | number | boolean | null;
}

/**
 * What a bundled script says about itself: the first line of its docstring is the title, the
 * rest the description, and the function named after the file is its entry point.
 */
export interface ScriptInfo {
  /** `px/<file name>`, as Pixie names its scripts. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The entry function (`func` of the query API), when the script defines it. */
  readonly func: string | undefined;
  readonly params: readonly ScriptParam[];
}

export interface BundledScript {
  readonly info: ScriptInfo;
  readonly source: string;
}

/** Reads a script's header: title, description, entry function and its parameters. */
export function scriptInfo(name: string, source: string): ScriptInfo {
  const module = parse(source);
  const [title = name, ...rest] = (module.doc ?? '').trim().split('\n');
  const base = name.slice(name.lastIndexOf('/') + 1);
  const entry = module.body.find((s) => s.kind === 'def' && s.name === base);
  const params =
    entry?.kind === 'def'
      ? entry.params.map((p) => ({
          name: p.name,
          type: p.annotation ?? 'str',
          default: p.default ? literal(p.default) : null,
        }))
      : [];
  return {
    name,
    title: title.trim(),
    description: rest
      .join('\n')
      .trim()
      .replace(/\s*\n\s*/g, ' '),
    func: entry?.kind === 'def' ? entry.name : undefined,
    params,
  };
}

function literal(e: Expr): string | number | boolean | null {
  switch (e.kind) {
    case 'string':
    case 'bool':
    case 'float':
      return e.value;
    case 'int':
      return Number(e.value);
    default:
      return null;
  }
}

/** Every script of scripts/px, with its header, sorted by name. */
export function bundledScriptsSync(dir = join(PACKAGE_ROOT, 'scripts', 'px')): BundledScript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pxl'))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      return { info: scriptInfo(`px/${file.slice(0, -4)}`, source), source };
    });
}
