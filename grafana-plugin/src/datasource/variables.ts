import {
  CustomVariableSupport,
  DataQueryRequest,
  DataQueryResponse,
  FieldType,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { catchError, from, map, Observable, of } from 'rxjs';

import { VariableQueryEditor } from '../components/VariableQueryEditor';
import { interpolateScript } from '../data/interpolate';
import { variableScript } from '../data/variableScripts';
import { PxgateVariableQuery } from '../types/variables';
import type { PxgateDataSource } from './PxgateDataSource';
import { requestMacros, templateValues } from './templating';

/** The message of a failed resource call: the backend's own, or what BackendSrv says. */
function failureMessage(err: unknown): string {
  const failure = err as { data?: { error?: { message?: unknown } }; message?: unknown };
  const message = failure.data?.error?.message ?? failure.message;
  return typeof message === 'string' ? message : String(err);
}

/** The value that stands for every namespace: the "All" value of pxgate's dashboards. */
export const ALL_NAMESPACES = '*';

/**
 * Splits a namespace filter (text, or a variable such as `$namespace`) into namespaces; empty
 * when it names all of them.
 */
function namespacesOf(filter: string | undefined, resolve: (text: string) => unknown): string[] {
  if (!filter || filter.trim() === '') return [];
  const value = resolve(filter.trim());
  const values = Array.isArray(value) ? value.map(String) : [String(value)];
  return values.includes(ALL_NAMESPACES) ? [] : values.filter((v) => v !== '');
}

/** What the backend's `variable-values` resource answers. */
interface VariableValues {
  values: string[];
}

/**
 * Template variables: namespaces, services, pods, nodes, or the first column of any script. The
 * script is filled here, where the dashboard's variables and range are known, and runs through
 * the backend's `variable-values` resource.
 */
export class PxgateVariableSupport extends CustomVariableSupport<
  PxgateDataSource,
  PxgateVariableQuery
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: PxgateDataSource) {
    super();
  }

  query(request: DataQueryRequest<PxgateVariableQuery>): Observable<DataQueryResponse> {
    const query = request.targets[0];
    if (!query) return of({ data: [] });
    const vars = templateValues(getTemplateSrv(), request.scopedVars);
    let script: string;
    try {
      const source =
        query.kind === 'script'
          ? (query.script ?? '')
          : variableScript(
              query.kind,
              namespacesOf(query.namespace, (text) => {
                const ref = /^\$\{?(\w+)\}?$/.exec(text);
                return ref ? (vars.resolve(ref[1]!) ?? text) : text;
              }),
            );
      script = interpolateScript(source, requestMacros(request), vars);
    } catch (err) {
      return of({ data: [], error: { message: (err as Error).message } });
    }
    return from(this.datasource.postResource<VariableValues>('variable-values', { script })).pipe(
      map(({ values }) => {
        return {
          data: [
            {
              name: 'values',
              length: values.length,
              fields: [
                { name: 'text', type: FieldType.string, config: {}, values },
                { name: 'value', type: FieldType.string, config: {}, values },
              ],
            },
          ],
        };
      }),
      catchError((err: unknown) => of({ data: [], error: { message: failureMessage(err) } })),
    );
  }
}
