/**
 * A TemplateSrv that replays Grafana's (public/app/features/templating/template_srv.ts), for
 * tests: the same reference syntax, scoped variables first, multi-value and "All" handling,
 * custom format functions called with the raw value, Glob formatting by default, `$__from` and
 * `$__to` in milliseconds, and unknown references left as they are.
 */
import { dateTime, ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
const ALL_VALUE = '$__all';

/** A dashboard variable as tests declare it. */
export interface TestVariable {
  name: string;
  /** The current value: a string, or a list for a multi-value variable (`['$__all']` for All). */
  value: string | string[];
  options?: string[];
  allValue?: string;
  multi?: boolean;
}

type Formatter = (value: unknown, variable: unknown, fallback: unknown) => string;

function glob(value: unknown): string {
  if (Array.isArray(value))
    return value.length > 1 ? `{${value.join(',')}}` : String(value[0] ?? '');
  return String(value);
}

function formatValue(
  value: unknown,
  format: string | Formatter | undefined,
  variable: unknown,
): string {
  if (value === null || value === undefined) return '';
  const v = !Array.isArray(value) && typeof value === 'object' ? `${value}` : value;
  if (typeof format === 'function') return format(v, variable ?? {}, formatValue);
  if (!format || format === 'glob') return glob(v);
  if (format === 'raw') return Array.isArray(v) ? v.join(',') : String(v);
  if (format === 'csv') return Array.isArray(v) ? v.join(',') : String(v);
  throw new Error(`the test TemplateSrv does not replay format "${format}"`);
}

export class TestTemplateSrv implements TemplateSrv {
  private range: TimeRange;

  constructor(
    private readonly variables: TestVariable[] = [],
    range?: { fromMs: number; toMs: number },
  ) {
    const from = dateTime(range?.fromMs ?? Date.now() - 3_600_000);
    const to = dateTime(range?.toMs ?? Date.now());
    this.range = { from, to, raw: { from, to } };
  }

  getVariables(): TypedVariableModel[] {
    return this.variables.map(
      (v) =>
        ({
          name: v.name,
          type: 'custom',
          multi: Boolean(v.multi),
          includeAll: v.options !== undefined,
          current: { text: v.value, value: v.value },
          options: (v.options ?? []).map((o) => ({ text: o, value: o, selected: false })),
        }) as unknown as TypedVariableModel,
    );
  }

  updateTimeRange(timeRange: TimeRange): void {
    this.range = timeRange;
  }

  containsTemplate(target?: string): boolean {
    if (!target) return false;
    VARIABLE_REGEX.lastIndex = 0;
    return [...target.matchAll(VARIABLE_REGEX)].some((m) => this.known(m[1] ?? m[2] ?? m[4] ?? ''));
  }

  private known(name: string): boolean {
    return name === '__from' || name === '__to' || this.variables.some((v) => v.name === name);
  }

  // Grafana's interface types the format as `string | Function`.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    return (target ?? '').replace(
      VARIABLE_REGEX,
      (
        match,
        var1?: string,
        var2?: string,
        fmt2?: string,
        var3?: string,
        fieldPath?: string,
        fmt3?: string,
      ) => {
        const name = (var1 ?? var2 ?? var3)!;
        const fmt = (fmt2 ?? fmt3 ?? format) as string | Formatter | undefined;
        return this.evaluate(match, name, fieldPath, fmt, scopedVars);
      },
    );
  }

  private evaluate(
    match: string,
    name: string,
    fieldPath: string | undefined,
    format: string | Formatter | undefined,
    scopedVars: ScopedVars | undefined,
  ): string {
    const variable = this.variables.find((v) => v.name === name);
    const scoped = scopedVars?.[name];
    if (scoped) {
      const value = fieldPath
        ? (scoped.value as Record<string, unknown>)?.[fieldPath]
        : scoped.value;
      if (value !== null && value !== undefined) return formatValue(value, format, variable);
    }
    if (name === '__from') return formatValue(String(this.range.from.valueOf()), format, undefined);
    if (name === '__to') return formatValue(String(this.range.to.valueOf()), format, undefined);
    if (!variable) return match;
    let value: unknown = variable.value;
    if (value === ALL_VALUE || (Array.isArray(value) && value[0] === ALL_VALUE)) {
      // Grafana skips formatting a custom all value: it goes in as it is.
      if (variable.allValue !== undefined) return this.replace(variable.allValue);
      value = variable.options ?? [];
    }
    return formatValue(value, format, variable);
  }
}
