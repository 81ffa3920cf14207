import { DataQueryRequest, ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { TemplateValues } from '../data/interpolate';
import { macroValues, MacroValues } from '../data/macros';

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
