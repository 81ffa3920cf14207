const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Dependencies published as ES modules only (@kubernetes/client-node 1.x and what it imports).
// Node 20 loads them through require(esm); jest's module loader cannot, so jest compiles them.
const ESM_PACKAGES = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'];

/**
 * Unit tests sit next to the code; cross-component tests live in test/. The Grafana plugin is a
 * project of its own (jsdom, TSX), run by the same `npm test`.
 */
module.exports = {
  projects: ['<rootDir>', '<rootDir>/grafana-plugin'],
  testEnvironment: 'node',
  roots: ['cli', 'shared', 'gateway', 'agent', 'test', 'bench']
    .filter((d) => existsSync(join(__dirname, d)))
    .map((d) => `<rootDir>/${d}`),
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testTimeout: 30000,
};
