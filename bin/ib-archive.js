#!/usr/bin/env node
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('ib-archive: the build is missing; run `npm run build` first.\n');
    process.exit(1);
  }
  throw err;
});
