/**
 * Builds the plugin's frontend the way Grafana loads it: one AMD module (`dist/module.js`) that
 * takes React, RxJS, emotion and the @grafana/* packages from the running Grafana, plus
 * plugin.json, the logo and the README next to it. The backend executable is built after it
 * (../backend/build.js); the bundled PxL scripts live in the backend, which the editor asks.
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIR = path.join(ROOT, 'src');
const DIST_DIR = path.join(ROOT, 'dist');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pluginJson: { id: string } = require(path.join(SOURCE_DIR, 'plugin.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson: { version: string } = require(path.join(ROOT, 'package.json'));

/** Modules the Grafana frontend provides to plugins at run time; bundling them would break it. */
const GRAFANA_SHARED = [
  'react',
  'react-dom',
  'rxjs',
  'lodash',
  'moment',
  'jquery',
  'd3',
  'emotion',
  '@emotion/css',
  '@emotion/react',
  'i18next',
  'react-router',
  'react-router-dom',
  'react-redux',
  'redux',
  /^@grafana\/data/,
  /^@grafana\/ui/,
  /^@grafana\/runtime/,
];

type Env = Record<string, string | boolean | undefined>;

const config = (env: Env): Configuration => {
  const production = Boolean(env.production);
  return {
    mode: production ? 'production' : 'development',
    context: SOURCE_DIR,
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: { module: './module.ts' },
    externals: GRAFANA_SHARED,
    output: {
      clean: true,
      filename: '[name].js',
      library: { type: 'amd' },
      path: DIST_DIR,
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js'],
    },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          {
            from: 'plugin.json',
            to: '.',
            transform: (content) =>
              content
                .toString()
                .replace(/%VERSION%/g, packageJson.version)
                .replace(/%TODAY%/g, new Date().toISOString().slice(0, 10)),
          },
          { from: 'img/**/*', to: '.' },
          { from: path.join(ROOT, 'README.md'), to: '.' },
          { from: path.join(ROOT, 'CHANGELOG.md'), to: '.' },
        ],
      }),
    ],
    performance: {
      hints: production ? 'warning' : false,
      maxAssetSize: 1_500_000,
      maxEntrypointSize: 1_500_000,
    },
  };
};

export default config;
