/**
 * Query failures to DataResponse errors: the status Grafana shows, and who is at fault. The
 * gateway's answers keep their status (a script error is a 400 with its line and column); a
 * query or setting the backend cannot run is a 400; both are `downstream`, the side of the
 * gateway and of the user. Only the backend's own faults are `plugin`, 500.
 */
import { InterpolationError } from '../../data/interpolate';
import { NodeGraphError } from '../../data/nodeGraph';
import { OutputNotFoundError } from '../../data/format';
import { TraceShapeError } from '../../data/traces';
import { GatewayError } from '../gateway/errors';
import { QueryOutcome } from '../metrics';
import { ErrorSource } from '../protocol/messages';
import { SettingsError } from '../settings';
import { QueryModelError } from './queryModel';

export interface ClassifiedError {
  message: string;
  status: number;
  errorSource: ErrorSource;
  outcome: QueryOutcome;
}

const USER_ERRORS = [
  QueryModelError,
  SettingsError,
  InterpolationError,
  OutputNotFoundError,
  NodeGraphError,
  TraceShapeError,
];

/** Classes a failure of one query. */
export function classifyQueryError(err: unknown): ClassifiedError {
  if (err instanceof GatewayError) {
    return {
      message: err.message,
      status: err.status,
      errorSource: 'downstream',
      outcome: 'gateway_error',
    };
  }
  if (USER_ERRORS.some((type) => err instanceof type)) {
    return {
      message: (err as Error).message,
      status: 400,
      errorSource: 'downstream',
      outcome: 'query_error',
    };
  }
  return {
    message: `the pxgate plugin failed: ${err instanceof Error ? err.message : String(err)}`,
    status: 500,
    errorSource: 'plugin',
    outcome: 'plugin_error',
  };
}
