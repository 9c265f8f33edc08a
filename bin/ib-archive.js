#!/usr/bin/env node
// CommonJS on purpose (see bin/package.json): --help and --version start without Node's ES module loader.
'use strict';
let cli;
try {
  cli = require.resolve('../dist/cli.cjs');
} catch {
  process.stderr.write('ib-archive: the build is missing; run `npm run build` first.\n');
  process.exit(1);
}
require(cli);
