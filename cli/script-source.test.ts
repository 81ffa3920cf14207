import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_SCRIPTS_DIR, readScript, scriptErrorText } from './script-source';

describe('readScript', () => {
  it('reads a bundled script by its name, and a file by its path', () => {
    const bundled = readScript('px/http_data');
    expect(bundled.file).toBe(join(BUNDLED_SCRIPTS_DIR, 'http_data.pxl'));
    expect(bundled.source).toMatch(/^'''HTTP data\n/);
    const file = join(mkdtempSync(join(tmpdir(), 'pxgate-script-')), 'mine.pxl');
    writeFileSync(file, 'import px\n');
    expect(readScript(file)).toEqual({ file, source: 'import px\n' });
  });

  it('says which bundled name does not exist, and why a file cannot be read', () => {
    expect(() => readScript('px/no_such_script')).toThrow(
      'there is no bundled script px/no_such_script: `pxgate scripts` lists them',
    );
    expect(() => readScript('/nonexistent/x.pxl')).toThrow(
      /^cannot read \/nonexistent\/x\.pxl: ENOENT: no such file or directory/,
    );
    // A name that is not a bundled script's shape is a path.
    expect(() => readScript('px/../../etc/passwd')).toThrow(
      /^cannot read px\/\.\.\/\.\.\/etc\/passwd: /,
    );
  });
});

describe('scriptErrorText', () => {
  const script = { file: 'slow.pxl', source: 'import px\n\tdf = px.DataFrame(tabel="x")\n' };

  it('prints file:line:column, the line (tabs as spaces) and a caret under the column', () => {
    expect(scriptErrorText(script, 'unknown argument "tabel"', 2, 18)).toBe(
      'slow.pxl:2:18: unknown argument "tabel"\n df = px.DataFrame(tabel="x")\n                 ^',
    );
  });

  it('prints the file and message alone without a position, and no line past the end', () => {
    expect(scriptErrorText(script, 'no px.display', undefined, undefined)).toBe(
      'slow.pxl: no px.display',
    );
    expect(scriptErrorText(script, 'unexpected end', 9, 1)).toBe('slow.pxl:9:1: unexpected end');
    expect(scriptErrorText(script, 'bad line', 1, undefined)).toBe(
      'slow.pxl:1: bad line\nimport px',
    );
  });
});
