import { DataQueryRequest, ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { interpolateArg, interpolateScript, TemplateValues } from '../data/interpolate';
import { macroValues, MacroValues } from '../data/macros';
import { QueryRequestBody } from '../types/gateway';
import { PxgateQuery } from '../types/query';

/**
 * Template variables through Grafana's TemplateSrv, one reference at a time: the custom format
 * function receives the variable's raw value (a string, or a list for multi-value and "All"),
 * which data/interpolate.ts then turns into a PxL literal.
 */
export function templateValues(templateSrv: TemplateSrv, scopedVars: ScopedVars): TemplateValues {
  return {
    resolve(name: string, fieldPath?: string): unknown {
      const reference = fieldPath === undefined ? `\${${name}}` : `\${${name}.${fieldPath}}`;
      let captured: { value: unknown } | undefined;
      const replaced = templateSrv.replace(reference, scopedVars, (value: unknown) => {
        captured = { value };
        return '';
      });
      if (captured) return captured.value;
      // Grafana skips the format function for empty values; an untouched reference names no variable.
      return replaced === reference ? undefined : replaced;
    },
  };
}

/** The time macros of a request: its time range and Grafana's interval. */
export function requestMacros(
  request: Pick<DataQueryRequest, 'range' | 'intervalMs'>,
): MacroValues {
  return macroValues(request.range.from.valueOf(), request.range.to.valueOf(), request.intervalMs);
}

/** The request body of a query: its script, function and arguments with macros and variables filled. */
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
