/** A webpack loader that turns `catalog.js` into the catalog itself, and rebuilds when a script changes. */
const { readCatalog } = require('./read-catalog');

module.exports = function catalogLoader() {
  const { dir } = this.getOptions();
  this.addContextDependency(dir);
  return `module.exports = ${JSON.stringify(readCatalog(dir))};`;
};
