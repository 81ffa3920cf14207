/**
 * The data source's settings from a request's plugin context: the gateway URL (`jsonData.url`)
 * and token (`decryptedSecureJsonData.token`). Grafana sends them with every call, so the
 * backend keeps no state per data source.
 */
import { checkGatewayUrl } from '../data/validate';
import { MAX_SETTINGS_JSON_BYTES } from './limits';
import { PluginContext } from './protocol/messages';

export interface DataSourceSettings {
  url: string;
  token?: string;
  /** The data source's uid and name, for links that open Explore on it. */
  uid: string;
  name: string;
}

/** Settings that cannot be used; the message says what to fix. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

function jsonDataOf(bytes: Buffer | undefined): Record<string, unknown> {
  if (!bytes || bytes.length === 0) return {};
  if (bytes.length > MAX_SETTINGS_JSON_BYTES) {
    throw new SettingsError(
      `the data source's jsonData is larger than ${MAX_SETTINGS_JSON_BYTES} bytes`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SettingsError("the data source's jsonData is not JSON");
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError("the data source's jsonData is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** Reads and checks the settings; throws SettingsError with what to fix. */
export function dataSourceSettings(context: PluginContext | null | undefined): DataSourceSettings {
  const instance = context?.dataSourceInstanceSettings;
  if (!instance) throw new SettingsError('the request names no data source');
  const { url } = jsonDataOf(instance.jsonData);
  const problem = checkGatewayUrl(typeof url === 'string' ? url : undefined);
  if (problem) throw new SettingsError(problem);
  const token = instance.decryptedSecureJsonData?.token;
  return {
    url: url as string,
    ...(token ? { token } : {}),
    uid: instance.uid ?? '',
    name: instance.name ?? '',
  };
}
