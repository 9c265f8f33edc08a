// The process-level tests run bin/ib-archive.js, which runs dist/: fail early and clearly when it is missing.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export default function setup(): void {
  const dist = resolve(import.meta.dirname, '../../dist/cli.js');
  if (!existsSync(dist)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it for you).');
}
