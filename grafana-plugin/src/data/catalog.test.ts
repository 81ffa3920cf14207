import fs from 'fs';
import os from 'os';
import path from 'path';

// The catalog reader is the build's own (CommonJS, run by webpack and by this test alike).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { docstringOf, readCatalog } = require('../../.config/scripts/read-catalog');

describe('the bundled scripts catalog', () => {
  it('reads every .pxl file under a folder that displays a table, sorted, titled by its docstring', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pxgate-catalog-'));
    try {
      const flows =
        "# c\n'''Network flows\n\nBytes between pods,\nper pair.\n\nMore.'''\npx.display(df)\n";
      const http = '"""HTTP requests."""\npx.display(df, "http")\n';
      fs.mkdirSync(path.join(dir, 'export'));
      fs.writeFileSync(
        path.join(dir, 'export', 'metrics.pxl'),
        '# sends, shows nothing\npx.export(df, spec)\n',
      );
      fs.mkdirSync(path.join(dir, 'net'));
      fs.writeFileSync(path.join(dir, 'net', 'flows.pxl'), flows);
      fs.writeFileSync(path.join(dir, 'http_data.pxl'), http);
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
      expect(readCatalog(dir)).toEqual([
        { id: 'http_data', name: 'HTTP requests.', description: '', script: http },
        {
          id: 'net/flows',
          name: 'Network flows',
          description: 'Bytes between pods, per pair.',
          script: flows,
        },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty for a missing folder; a script without a docstring is named by its path', () => {
    expect(readCatalog(path.join(os.tmpdir(), 'pxgate-no-such-dir'))).toEqual([]);
    expect(docstringOf('import px\n')).toBe('');
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
