/**
 * Lets a compile worker run from the TypeScript sources (as the tests run the gateway): each
 * `.ts` file it requires is compiled by swc on load. ts-node did this job before, but it loads
 * the TypeScript compiler as well (half a second and more of a worker's start, for nothing: swc
 * does the compiling). Built, the worker is plain JavaScript and this file is not used. The
 * Grafana plugin's build reads the bundled scripts with the gateway's reader through it too.
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const OPTIONS = {
  swcrc: false,
  configFile: false,
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  module: { type: 'commonjs' },
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
