import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { PxgateDataSource } from './datasource/PxgateDataSource';
import { PxgateOptions, PxgateSecureOptions } from './types/options';
import { PxgateQuery } from './types/query';

export const plugin = new DataSourcePlugin<
  PxgateDataSource,
  PxgateQuery,
  PxgateOptions,
  PxgateSecureOptions
>(PxgateDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
