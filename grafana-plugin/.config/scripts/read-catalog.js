/**
 * Reads the bundled PxL scripts (`scripts/px/` at the repository root) into the catalog the query
 * editor's picker shows. One function serves the webpack build (catalog-loader.js) and the jest
 * tests (catalog.js), so both see the same scripts.
 */
const fs = require('fs');
const path = require('path');

const SCRIPTS_DIR = path.resolve(__dirname, '..', '..', '..', 'scripts', 'px');

/** The text of a script's module docstring, or ''. */
function docstringOf(script) {
  const match = /^\s*(?:#[^\n]*\n\s*)*(?:'''|""")([\s\S]*?)(?:'''|""")/.exec(script);
  return match ? match[1].trim() : '';
}

/**
 * Every `*.pxl` file under `dir` that displays a table, sorted by path, as
 * `{ id, name, description, script }`.
 */
function readCatalog(dir) {
  if (!fs.existsSync(dir)) return [];
  const files = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.pxl')) files.push(full);
    }
  };
  walk(dir);
  return (
    files
      .sort()
      .map((file) => ({ file, script: fs.readFileSync(file, 'utf8') }))
      // A query shows tables: export scripts (px.export, run by the gateway) display none.
      .filter(({ script }) => /\bpx\.display\s*\(/.test(script))
      .map(({ file, script }) => {
        const id = path
          .relative(dir, file)
          .replace(/\\/g, '/')
          .replace(/\.pxl$/, '');
        // The docstring's first line is the title; its first paragraph after that, the description.
        const [title = '', ...rest] = docstringOf(script).split('\n');
        const description = rest
          .join('\n')
          .trim()
          .split(/\n\s*\n/)[0]
          .replace(/\s+/g, ' ');
        return { id, name: title.trim() || id, description, script };
      })
  );
}

module.exports = { SCRIPTS_DIR, readCatalog, docstringOf };
