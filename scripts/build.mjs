// Bundles src/ into dist/ so the published package needs no runtime dependencies.
// Code splitting keeps every SDK out of the start-up path: each is a chunk loaded on first use.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
// ESM entry points are preferred (they tree-shake), but a CommonJS `require()` of a package whose "module"
// build only has a default export (node-fetch 2, used by opentok) must get the CommonJS build.
const requireCommonJs = {
  name: 'require-commonjs',
  setup(b) {
    b.onResolve({ filter: /^node-fetch$/ }, (args) => {
      if (args.kind !== 'require-call') return undefined;
      return { path: createRequire(`${args.resolveDir}/`).resolve(args.path) };
    });
  },
};

await build({
  plugins: [requireCommonJs],
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
