/**
 * `@pxgate/scripts`: the bundled PxL scripts. Under jest this module runs as is; the backend's
 * build (../backend/build.js) replaces it with the catalog serialised at build time, so no file
 * access ships.
 */
const { SCRIPTS_DIR, readCatalog } = require('./read-catalog');

module.exports = readCatalog(SCRIPTS_DIR);
