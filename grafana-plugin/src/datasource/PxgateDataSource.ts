import type { BundledScript } from '@pxgate/scripts';
import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { interpolateQuery, queryTemplateValues } from '../data/interpolate';
import { macroValues } from '../data/macros';
import { migrateQuery } from '../data/migrations';
import { PxgateOptions } from '../types/options';
import { PxgateQuery, PxgateQueryRequest } from '../types/query';
import { annotationSupport } from './annotations';
import { DEFAULT_QUERY } from './defaults';
import { templateValues } from './templating';
import { PxgateVariableSupport } from './variables';

/**
 * The pxgate data source in the browser. Queries, the health check and the editors' resources
 * go to the plugin's backend on Grafana's server (src/backend/), which calls the gateway with the
 * data source's token; each capability lives in its own module (variables, annotations).
 */
export class PxgateDataSource extends DataSourceWithBackend<PxgateQuery, PxgateOptions> {
  private catalog: Promise<BundledScript[]> | undefined;

  constructor(settings: DataSourceInstanceSettings<PxgateOptions>) {
    super(settings);
    this.variables = new PxgateVariableSupport(this);
    this.annotations = annotationSupport;
  }

  override getDefaultQuery(_app: CoreApp): Partial<PxgateQuery> {
    return DEFAULT_QUERY;
  }

  override filterQuery(query: PxgateQuery): boolean {
    return !query.hide && migrateQuery(query).script.trim() !== '';
  }

  /**
   * The query as the backend receives it: migrated, with the values of the template variables it
   * refers to. The backend fills them and the macros in one pass, so that a variable's value
   * (even one that reads `$__from`) is never interpolated twice.
   */
  override applyTemplateVariables(query: PxgateQuery, scopedVars: ScopedVars): PxgateQueryRequest {
    const migrated = migrateQuery(query);
    const values = queryTemplateValues(migrated, templateValues(getTemplateSrv(), scopedVars));
    return Object.keys(values).length > 0 ? { ...migrated, templateValues: values } : migrated;
  }

  /**
   * The queries as they will run, for Explore and for copying queries to another data source.
   * The time macros take the dashboard's range from Grafana's own `$__from`/`$__to` (milliseconds).
   */
  override interpolateVariablesInQueries(
    queries: PxgateQuery[],
    scopedVars: ScopedVars,
  ): PxgateQuery[] {
    const templateSrv = getTemplateSrv();
    const ms = (name: string) => Number(templateSrv.replace(`$${name}`, scopedVars)) || 0;
    const intervalMs = Number(scopedVars.__interval_ms?.value) || 1000;
    const macros = macroValues(ms('__from'), ms('__to'), intervalMs);
    const vars = templateValues(templateSrv, scopedVars);
    return queries.map((stored) => {
      const query = migrateQuery(stored);
      const body = interpolateQuery(query, macros, vars);
      return { ...query, script: body.script, args: body.args };
    });
  }

  override getQueryDisplayText(query: PxgateQuery): string {
    const { script, func } = migrateQuery(query);
    return func
      ? `${func}()`
      : (script.split('\n').find((l) => l.trim() && !l.startsWith('import')) ?? '');
  }

  /** The bundled PxL scripts, from the backend (asked once per data source). */
  scripts(): Promise<BundledScript[]> {
    this.catalog ??= this.getResource<{ scripts: BundledScript[] }>('scripts').then(
      (answer) => answer.scripts,
      (err: unknown) => {
        this.catalog = undefined;
        throw err;
      },
    );
    return this.catalog;
  }
}
