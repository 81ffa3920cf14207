const { existsSync } = require('node:fs');
const { join } = require('node:path');

/** Unit tests sit next to the code; cross-component tests live in test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['gateway', 'agent', 'test']
    .filter((d) => existsSync(join(__dirname, d)))
    .map((d) => `<rootDir>/${d}`),
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  testTimeout: 30000,
};
