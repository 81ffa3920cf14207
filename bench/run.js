#!/usr/bin/env node
'use strict';
// `npm run bench -- NAME [args...]` runs the compiled benchmark bench/NAME.ts.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = join(__dirname, '..', 'dist', 'bench');
const [name, ...args] = process.argv.slice(2);
const available = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
  : [];
if (!name || !available.includes(name)) {
  console.error(
    `${name ? `unknown benchmark "${name}". ` : ''}usage: npm run bench -- NAME\navailable: ${available.join(', ') || '(none: run npm run build first)'}`,
  );
  process.exit(2);
}
const res = spawnSync(process.execPath, ['--expose-gc', join(dir, `${name}.js`), ...args], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
