/**
 * Unit tests sit next to the code; cross-component tests live in test/. The Grafana plugin is a
 * project of its own (jsdom, TSX), run by the same `npm test`.
 */
module.exports = {
  projects: ['<rootDir>', '<rootDir>/grafana-plugin'],
  testEnvironment: 'node',
  roots: ['<rootDir>/gateway', '<rootDir>/agent', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  testTimeout: 30000,
};
