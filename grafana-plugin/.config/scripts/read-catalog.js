/**
 * Reads the bundled PxL scripts (`scripts/px/` at the repository root) into the catalog the query
 * editor's picker shows. One function serves the backend's build (../backend/build.js) and the
 * jest tests (catalog.js), so both see the same scripts; and it reads them with the gateway's
 * own reader (gateway/src/pxl/bundled.ts, which parses each script and serves `/v1/scripts`), so
 * the picker shows what the gateway and `pxgate scripts` show.
 */
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPTS_DIR = path.join(ROOT, 'scripts', 'px');

// The reader is TypeScript. Jest compiles it (its own require has no Node extensions to hook);
// under Node, as in the backend's build, the hook the gateway's compile workers use from the
// sources compiles it with swc.
if (require.extensions['.js'] && !require.extensions['.ts']) {
  require(path.join(ROOT, 'gateway', 'src', 'pxl', 'worker', 'swc-hook.js'));
}
const { bundledScriptsSync } = require(path.join(ROOT, 'gateway', 'src', 'pxl', 'bundled.ts'));

/**
 * Every script of `dir` that displays a table, sorted by name, as `{ id, name, description,
 * script }`: the gateway's name without `px/`, its title (the id when it has none) and
 * description. A missing folder has none.
 */
function readCatalog(dir) {
  if (!require('fs').existsSync(dir)) return [];
  return (
    bundledScriptsSync(dir)
      // A query shows tables: export scripts (px.export, run by the gateway) display none.
      .filter(({ source }) => /\bpx\.display\s*\(/.test(source))
      .map(({ info, source }) => {
        const id = info.name.replace(/^px\//, '');
        return { id, name: info.title || id, description: info.description, script: source };
      })
  );
}

module.exports = { SCRIPTS_DIR, readCatalog };
