#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm run build` (run by `npm install` through the prepare script).
let main;
try {
  main = require('../dist/cli/main.js').main;
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    console.error(
      'pxgate is not built yet: run `npm install` (or `npm run build`) in the checkout first.',
    );
    process.exit(1);
  }
  throw err;
}
main(process.argv).catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
