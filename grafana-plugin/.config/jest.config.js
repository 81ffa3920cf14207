/**
 * The plugin's jest setup: jsdom, Testing Library, swc for TS/TSX. Grafana's packages pull in a
 * few ESM-only dependencies, which jest must transform too.
 */
const path = require('path');

const ESM_ONLY = [
  'ol',
  'react-colorful',
  'd3',
  'd3-[a-z-]+',
  'internmap',
  'delaunator',
  'robust-predicates',
  'marked',
  'uuid',
  'react-calendar',
  'get-user-locale',
  'memoize',
  'mimic-function',
  '@wojtekmaj/date-utils',
];

module.exports = {
  testEnvironment: path.join(__dirname, 'jest', 'environment.js'),
  setupFilesAfterEnv: [path.join(__dirname, 'jest-setup.js')],
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}', '<rootDir>/test/**/*.test.{ts,tsx}'],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': path.join(__dirname, 'jest', 'style-stub.js'),
    '^@pxgate/scripts$': path.join(__dirname, 'scripts', 'catalog.js'),
  },
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node', 'proto'],
  transform: {
    '^.+\\.proto$': path.join(__dirname, 'jest', 'text-transform.js'),
    '^.+\\.(m?js|tsx?)$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testTimeout: 30000,
};
