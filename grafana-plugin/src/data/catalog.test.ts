import fs from 'fs';
import os from 'os';
import path from 'path';

// The catalog reader is the build's own (CommonJS, run by webpack and by this test alike).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { docstringOf, readCatalog } = require('../../.config/scripts/read-catalog');

describe('the bundled scripts catalog', () => {
  it('reads every .pxl file under a folder, sorted, with its docstring', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pxgate-catalog-'));
    try {
      fs.mkdirSync(path.join(dir, 'net'));
      fs.writeFileSync(
        path.join(dir, 'net', 'flows.pxl'),
        "# c\n'''Network flows.\n\nMore.'''\nimport px\n",
      );
      fs.writeFileSync(path.join(dir, 'http_data.pxl'), '"""HTTP requests."""\nimport px\n');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
      expect(readCatalog(dir)).toEqual([
        {
          id: 'http_data',
          name: 'http_data',
          description: 'HTTP requests.',
          script: '"""HTTP requests."""\nimport px\n',
        },
        {
          id: 'net/flows',
          name: 'net/flows',
          description: 'Network flows.',
          script: "# c\n'''Network flows.\n\nMore.'''\nimport px\n",
        },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty for a missing folder, and a script without docstring has no description', () => {
    expect(readCatalog(path.join(os.tmpdir(), 'pxgate-no-such-dir'))).toEqual([]);
    expect(docstringOf('import px\n')).toBe('');
  });
});
