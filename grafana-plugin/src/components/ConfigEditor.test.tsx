import { DataSourceSettings } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';

import { PxgateOptions, PxgateSecureOptions } from '../types/options';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<PxgateOptions, PxgateSecureOptions>;

function settings(patch: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'pxgate',
    orgId: 1,
    name: 'pxgate',
    type: 'pxgate-pxgate-datasource',
    typeName: 'pxgate',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: {},
    secureJsonFields: {},
    ...patch,
  } as Settings;
}

/** Holds the settings as Grafana's data source page does, and records every change. */
function renderEditor(initial: Settings) {
  const changes: Settings[] = [];
  function Page() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          setOptions(next);
        }}
      />
    );
  }
  render(<Page />);
  return changes;
}

describe('ConfigEditor', () => {
  it('saves the URL in jsonData', async () => {
    const changes = renderEditor(settings());
    await userEvent.type(screen.getByLabelText(/^URL/), 'http://pxgate-gateway.pxgate.svc:8090');
    expect(changes.at(-1)!.jsonData).toEqual({ url: 'http://pxgate-gateway.pxgate.svc:8090' });
    expect(screen.queryByText(/must start with/)).not.toBeInTheDocument();
  });

  it('says what is wrong with a URL that is not http(s)', async () => {
    renderEditor(settings());
    await userEvent.type(screen.getByLabelText(/^URL/), 'pxgate:8090');
    expect(
      screen.getByText('"pxgate:8090" must start with http:// or https://.'),
    ).toBeInTheDocument();
  });

  it('keeps the token in secureJsonData only', async () => {
    const changes = renderEditor(settings({ jsonData: { url: 'http://gw:8090' } }));
    await userEvent.type(screen.getByLabelText(/^Token/), 'sekrit-token-1234567');
    const last = changes.at(-1)!;
    expect(last.secureJsonData).toEqual({ token: 'sekrit-token-1234567' });
    expect(JSON.stringify(last.jsonData)).not.toContain('sekrit');
  });

  it('shows a saved token as configured, and resets it', async () => {
    const changes = renderEditor(
      settings({ jsonData: { url: 'http://gw:8090' }, secureJsonFields: { token: true } }),
    );
    expect(screen.getByLabelText(/^Token/)).toHaveValue('configured');
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(changes.at(-1)!.secureJsonFields).toEqual({ token: false });
    expect(changes.at(-1)!.secureJsonData).toEqual({ token: '' });
    expect(screen.getByLabelText(/^Token/)).toHaveValue('');
  });
});
