// Bundles src/ into dist/ so the published package needs no runtime dependencies.
// - dist/cli.cjs: the start-up path (commander and the program's options, nothing else), CommonJS so that --help,
//   --version and usage errors run without the ES module loader.
// - dist/run.js + dist/chunks/: everything a command needs, as ES modules with code splitting, so every SDK is a
//   chunk loaded on first use. cli.cjs imports run.js only once a command runs.
import { build } from 'esbuild';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { thirdPartyLicenses } from './third-party-licenses.mjs';

// Built into a fresh folder and swapped in at the end, so a run of the CLI meanwhile never sees half a dist/.
const root = new URL('../', import.meta.url);
const staging = `.build/dist-${process.pid}`;
await rm(new URL(staging, root), { recursive: true, force: true });
// ESM entry points are preferred (they tree-shake), but a CommonJS `require()` of a package whose "module"
// build only has a default export (node-fetch 2, used by opentok) must get the CommonJS build.
// heroku-client and opentok log request and response bodies (config vars with the secret, JWTs) through the `debug`
// package whenever DEBUG=* is set, past ib-archive's redaction: bundle a silent `debug` instead (--debug is ours, redacted).
const silentDebug = {
  name: 'silent-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'silent-debug' }));
    b.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      contents:
        'const off=()=>{const log=()=>{};log.enabled=false;log.extend=off;return log};' +
        'off.enable=()=>{};off.disable=()=>"";off.enabled=()=>false;module.exports=off;module.exports.default=off;',
      loader: 'js',
    }));
  },
};

const requireCommonJs = {
  name: 'require-commonjs',
  setup(b) {
    b.onResolve({ filter: /^node-fetch$/ }, (args) => {
      if (args.kind !== 'require-call') return undefined;
      return { path: createRequire(`${args.resolveDir}/`).resolve(args.path) };
    });
  },
};
// cli.ts's `import('./run.js')` stays a runtime import of dist/run.js (the other build) instead of being bundled.
const runIsSeparate = {
  name: 'run-is-separate',
  setup(b) {
    b.onResolve({ filter: /^\.\/run\.js$/ }, () => ({ path: './run.js', external: true }));
  },
};

// commander requires node:child_process when it loads, for executable subcommands, which ib-archive has none of;
// loading it (with net, dgram and the stream stack) costs about a fifth of Node's own start-up. Load it on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let m;module.exports=new Proxy({},{get:(_,k)=>(m??=require('node:child_process'))[k]});",
      loader: 'js',
    }));
  },
};

const common = {
  outdir: staging,
  bundle: true,
  platform: 'node',
  mainFields: ['module', 'main'],
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Which sources went into which file: test/startup.test.ts reads it to prove no SDK loads on the start-up path.
  metafile: true,
};

const [commands, front] = await Promise.all([
  build({
    ...common,
    plugins: [requireCommonJs, silentDebug],
    entryPoints: { run: 'src/run.ts' },
    // tr46 and whatwg-url (under node-fetch, under opentok) require Node's punycode, which Node 21+ deprecates with a
    // warning on the user's terminal: bundle the userland package of the same API instead ("punycode/" is the package).
    alias: { punycode: 'punycode/' },
    splitting: true,
    format: 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import{createRequire as __ibCreateRequire}from'node:module';const require=__ibCreateRequire(import.meta.url);",
    },
  }),
  build({
    ...common,
    plugins: [runIsSeparate, lazyChildProcess],
    entryPoints: { cli: 'src/cli.ts' },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  }),
]);

// Kept out of dist/ so it is not published.
const metaDir = new URL('../.build/', import.meta.url);
await mkdir(metaDir, { recursive: true });
const metafile = {
  inputs: { ...commands.metafile.inputs, ...front.metafile.inputs },
  // Named as they will be once swapped in (dist/…), not by the staging folder.
  outputs: Object.fromEntries(
    Object.entries({ ...commands.metafile.outputs, ...front.metafile.outputs }).map(([file, v]) => [file.replace(staging, 'dist'), v]),
  ),
};
await writeFile(new URL('esbuild-meta.json', metaDir), JSON.stringify(metafile));
// The bundle redistributes the code of every package in it: their licences ship next to it (npm "files" has dist/).
const self = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
await writeFile(new URL(`${staging}/THIRD-PARTY-LICENSES.md`, root), await thirdPartyLicenses(fileURLToPath(root), metafile, self));

const old = new URL(`.build/dist-old-${process.pid}`, root);
await rename(new URL('dist', root), old).catch((err) => {
  if (err.code !== 'ENOENT') throw err;
});
await rename(new URL(staging, root), new URL('dist', root));
await rm(old, { recursive: true, force: true });
