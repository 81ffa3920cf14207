/**
 * `@pxgate/scripts`: the bundled PxL scripts. Under jest this module runs as is; webpack replaces
 * it with the catalog serialised at build time (catalog-loader.js), so no file access ships.
 */
const { SCRIPTS_DIR, readCatalog } = require('./read-catalog');

module.exports = readCatalog(SCRIPTS_DIR);
