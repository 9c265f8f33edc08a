// Bundles src/ into dist/ so the published package needs no runtime dependencies.
// Code splitting keeps every SDK out of the start-up path: each is a chunk loaded on first use.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import{createRequire as __ibCreateRequire}from'node:module';const require=__ibCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
