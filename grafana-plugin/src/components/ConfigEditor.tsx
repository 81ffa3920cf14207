import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input, SecretInput, Stack } from '@grafana/ui';

import { checkGatewayUrl } from '../data/validate';
import { PxgateOptions, PxgateSecureOptions } from '../types/options';

type Props = DataSourcePluginOptionsEditorProps<PxgateOptions, PxgateSecureOptions>;

/**
 * The data source settings: the gateway's URL (as Grafana's server reaches it) and its token,
 * which Grafana keeps encrypted and gives only to the plugin's backend on its server.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const url = options.jsonData.url ?? '';
  const urlError = url ? checkGatewayUrl(url) : undefined;
  const tokenSet = Boolean(options.secureJsonFields?.token);

  return (
    <Stack direction="column" gap={0}>
      <Field
        label="URL"
        description="The pxgate gateway, as Grafana's server reaches it (the plugin's backend runs there and calls the gateway)"
        invalid={Boolean(urlError)}
        error={urlError}
        required
      >
        <Input
          id="pxgate-url"
          width={60}
          placeholder="http://pxgate-gateway.pxgate.svc:8090"
          value={url}
          onChange={(e) =>
            onOptionsChange({
              ...options,
              jsonData: { ...options.jsonData, url: e.currentTarget.value.trim() },
            })
          }
        />
      </Field>
      <Field
        label="Token"
        description="The gateway's auth.token. Grafana stores it encrypted and never sends it to browsers."
      >
        <SecretInput
          id="pxgate-token"
          width={60}
          placeholder="needed when the gateway has auth.token set"
          isConfigured={tokenSet}
          value={options.secureJsonData?.token ?? ''}
          onChange={(e) =>
            onOptionsChange({
              ...options,
              secureJsonData: { ...options.secureJsonData, token: e.currentTarget.value },
            })
          }
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...options.secureJsonFields, token: false },
              secureJsonData: { ...options.secureJsonData, token: '' },
            })
          }
        />
      </Field>
    </Stack>
  );
}
