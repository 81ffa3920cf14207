import fs from 'fs';
import os from 'os';
import path from 'path';

// The catalog reader is the build's own (CommonJS, run by the backend's build and by this test
// alike), on the gateway's reader of bundled scripts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readCatalog } = require('../../.config/scripts/read-catalog');

describe('the bundled scripts catalog', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pxgate-catalog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };

  it('reads the scripts of a folder that display a table, sorted, titled by their docstring', () => {
    const flows =
      "# c\n'''Network flows\n\nBytes between pods,\nper pair.\n'''\nimport px\npx.display(px.DataFrame('conn_stats'))\n";
    const http =
      '"""HTTP requests."""\nimport px\npx.display(px.DataFrame(\'http_events\'), "http")\n';
    const bare = "import px\npx.display(px.DataFrame('http_events'))\n";
    write('net_flows.pxl', flows);
    write('http_data.pxl', http);
    write('bare.pxl', bare);
    write('export/metrics.pxl', "'''Metrics'''\nimport px\npx.export(df, spec)\n");
    write('sends.pxl', "'''Sends'''\nimport px\npx.export(df, spec)\n");
    write('notes.txt', 'ignored');
    expect(readCatalog(dir)).toEqual([
      { id: 'bare', name: 'bare', description: '', script: bare },
      { id: 'http_data', name: 'HTTP requests.', description: '', script: http },
      {
        id: 'net_flows',
        name: 'Network flows',
        description: 'Bytes between pods, per pair.',
        script: flows,
      },
    ]);
  });

  it('reads a title as Python does where a regex would not: quotes of the other kind inside, a raw string', () => {
    // A regex from the first three quotes to the next three of either kind read 'HTTP ' here,
    // and found no docstring in a raw one.
    write(
      'quoted.pxl',
      `'''HTTP """quoted""" paths\n\nRequests by path.'''\nimport px\npx.display(px.DataFrame('http_events'))\n`,
    );
    write(
      'raw.pxl',
      `r"""Paths \\d+\n\nBy number."""\nimport px\npx.display(px.DataFrame('http_events'))\n`,
    );
    expect(
      readCatalog(dir).map((s: { name: string; description: string }) => [s.name, s.description]),
    ).toEqual([
      ['HTTP """quoted""" paths', 'Requests by path.'],
      ['Paths \\d+', 'By number.'],
    ]);
  });

  it('is empty for a missing folder', () => {
    expect(readCatalog(path.join(dir, 'no-such-dir'))).toEqual([]);
  });

  it("holds the repository's bundled scripts, each with a title", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const scripts = require('@pxgate/scripts') as Array<{ id: string; name: string }>;
    expect(scripts.map((s) => s.id)).toEqual(
      expect.arrayContaining(['http_data', 'service_map', 'service_stats']),
    );
    for (const s of scripts) expect(s.name).not.toBe(s.id);
  });
});
