/**
 * The provisioning examples must provision what this plugin is: its plugin id, the settings its
 * backend reads (jsonData.url, secureJsonData.token), and the dashboards where docker-compose
 * puts them.
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const pluginJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'src', 'plugin.json'), 'utf8'));

describe('provisioning examples', () => {
  it("provision this plugin's data source with the settings its backend reads", () => {
    const [ds] = read('provisioning/datasources/pxgate.yaml').datasources;
    expect(ds).toMatchObject({
      type: pluginJson.id,
      access: 'proxy',
      jsonData: { url: '${PXGATE_URL}' },
    });
    expect(ds.secureJsonData).toEqual({ token: '${PXGATE_TOKEN}' });
  });

  it('declare a backend that alerting may query, and no proxy route', () => {
    expect(pluginJson).toMatchObject({ backend: true, alerting: true, executable: 'gpx_pxgate' });
    expect(pluginJson.routes).toBeUndefined();
  });

  it('load the dashboards from where docker-compose mounts them', () => {
    const [provider] = read('provisioning/dashboards/pxgate.yaml').providers;
    const volumes: string[] = read('docker-compose.yaml').services.grafana.volumes;
    expect(volumes).toContain(`../dashboards:${provider.options.path}:ro`);
    expect(volumes).toContain(`./dist:/var/lib/grafana/plugins/${pluginJson.id}:ro`);
    expect(
      fs.readdirSync(path.join(ROOT, '..', 'dashboards')).filter((f) => f.endsWith('.json')).length,
    ).toBeGreaterThan(0);
  });

  it('declare a Grafana version Amazon Managed Grafana runs', () => {
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=10.4.0');
  });
});
