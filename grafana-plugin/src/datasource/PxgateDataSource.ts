import {
  CoreApp,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  ScopedVars,
  TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

import scripts from '@pxgate/scripts';

import { macroValues } from '../data/macros';
import { migrateQuery } from '../data/migrations';
import { scriptLink } from '../data/scriptLinks';
import { PxgateOptions } from '../types/options';
import { PxgateQuery } from '../types/query';
import { annotationSupport } from './annotations';
import { DEFAULT_QUERY } from './defaults';
import { GatewayClient } from './GatewayClient';
import { checkHealth } from './health';
import { runQueries } from './queries';
import { interpolateQuery, templateValues } from './templating';
import { PxgateVariableSupport } from './variables';

/**
 * The pxgate data source. It runs in the browser and reaches the gateway through Grafana's data
 * source proxy; each capability lives in its own module (queries, variables, annotations, health).
 */
export class PxgateDataSource extends DataSourceApi<PxgateQuery, PxgateOptions> {
  readonly client: GatewayClient;

  constructor(private readonly settings: DataSourceInstanceSettings<PxgateOptions>) {
    super(settings);
    this.client = new GatewayClient(settings.url ?? '');
    this.variables = new PxgateVariableSupport(this);
    this.annotations = annotationSupport;
  }

  override getDefaultQuery(_app: CoreApp): Partial<PxgateQuery> {
    return DEFAULT_QUERY;
  }

  override filterQuery(query: PxgateQuery): boolean {
    return !query.hide && migrateQuery(query).script.trim() !== '';
  }

  query(request: DataQueryRequest<PxgateQuery>): Observable<DataQueryResponse> {
    const target = { uid: this.uid, name: this.name };
    return runQueries(
      this.client,
      (reference) => scriptLink(reference, scripts, target),
      request,
      getTemplateSrv(),
    );
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

  testDatasource(): Promise<TestDataSourceResponse> {
    return checkHealth(this.client, this.settings);
  }
}
