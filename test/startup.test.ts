// The start-up path (issue #6): --help, --version and input validation load no SDK, and --help starts about as fast as Node.
// Which files a run loads is logged by a preload (CommonJS: require.cache; ES modules: a module.register load hook),
// then mapped to the packages bundled into each file through the build's metafile (.build/esbuild-meta.json).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServices } from '../src/standins/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ib-archive.js');
const META = join(ROOT, '.build', 'esbuild-meta.json');

/** Packages that must never load before a command needs them. */
const HEAVY = /^(@aws-sdk\/|@smithy\/|@aws-crypto\/|heroku-client$|opentok$|@vonage\/|@inquirer\/|ora$)/;
/** The SDK's partition table: data only (no SDK code), which region validation reads offline. */
const SDK_PARTITION_TABLE = 'node_modules/@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';

let dir: string;
let preload: string;

beforeAll(() => {
  if (!existsSync(META)) throw new Error('.build/esbuild-meta.json is missing: run `npm run build`.');
  dir = mkdtempSync(join(tmpdir(), 'ib-archive-startup-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.IB_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `const { register } = require('node:module');
const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
register(${JSON.stringify(pathToFileURL(hooks).href)});
process.on('exit', () => {
  const files = Object.keys(require.cache).filter((f) => f !== __filename).map((f) => pathToFileURL(f).href);
  appendFileSync(process.env.IB_LOAD_LOG, files.join('\\n') + '\\n');
});
`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'ib-archive-home-')), NO_COLOR: '1', ...extra };
}

interface Loaded {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Files of this package that were loaded, relative to the repository (bin/…, dist/…). */
  files: string[];
  /** npm packages bundled into those files. */
  packages: string[];
}

/** Runs the CLI with the load logger (asynchronously: the stand-ins may answer from this process). */
function runLogged(args: string[], env: Record<string, string>): Promise<Loaded> {
  const log = join(dir, `load-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--require', preload, '--', BIN, ...args], {
      env: { ...env, IB_LOAD_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const files = [
        ...new Set(
          readFileSync(log, 'utf8')
            .split('\n')
            .filter((u) => u.startsWith('file:'))
            .map((u) => fileURLToPath(u))
            .filter((f) => f.startsWith(ROOT + sep))
            .map((f) => relative(ROOT, f).split(sep).join('/')),
        ),
      ].sort();
      resolvePromise({ code, stdout, stderr, files, packages: packagesIn(files) });
    });
  });
}

/** The npm packages the bundler put into these dist files (from the metafile); bin/ and src/ files are not bundles. */
function packagesIn(files: string[]): string[] {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const packages = new Set<string>();
  for (const file of files.filter((f) => f.startsWith('dist/'))) {
    const output = meta.outputs[file];
    if (!output) throw new Error(`${file} is not in .build/esbuild-meta.json: the metafile is stale, run \`npm run build\`.`);
    for (const input of Object.keys(output.inputs)) {
      if (input === SDK_PARTITION_TABLE) continue;
      const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
      if (m) packages.add(m[1]!);
    }
  }
  return [...packages].sort();
}

describe('start-up path', () => {
  it('--help loads the bin and dist/cli.cjs only: commander, no SDK', async () => {
    const run = await runLogged(['--help'], cleanEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ib-archive');
    expect(run.files).toEqual(['bin/ib-archive.js', 'dist/cli.cjs']);
    expect(run.packages).toEqual(['commander']);
  });

  it('setup --help and --version load nothing more', async () => {
    for (const args of [['setup', '--help'], ['doctor', '--help'], ['--version'], ['-v']]) {
      const run = await runLogged(args, cleanEnv());
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.files, args.join(' ')).toEqual(['bin/ib-archive.js', 'dist/cli.cjs']);
      expect(run.packages, args.join(' ')).toEqual(['commander']);
    }
  });

  it('a usage error loads nothing more', async () => {
    const run = await runLogged(['setup', '--no-such-flag'], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
    expect(run.files).toEqual(['bin/ib-archive.js', 'dist/cli.cjs']);
    expect(run.packages).toEqual(['commander']);
  });

  it('an input-validation error loads the command but no SDK, prompt or spinner', async () => {
    const run = await runLogged(['setup', '--api-key', 'abc', '--non-interactive'], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/API key "abc"/);
    expect(run.files).toContain('dist/run.js');
    expect(run.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('a made-up region is refused with the SDK partition table alone, no SDK code', async () => {
    const run = await runLogged(['setup', '--api-key', '46000000', '--region', 'moon-central-9', '--no-heroku', '--non-interactive'], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/moon-central-9/);
    const meta = JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    expect(run.files.some((f) => meta.outputs[f] && SDK_PARTITION_TABLE in meta.outputs[f].inputs)).toBe(true);
    expect(run.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('a missing-input error (no Heroku token) loads no SDK either', async () => {
    const run = await runLogged(['setup', '--api-key', '46000000', '--app', 'my-ib', '--non-interactive'], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/HEROKU_API_KEY/);
    expect(run.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('the logger does see the SDKs once a command talks to a cloud (control)', async () => {
    const services = await startLocalServices();
    try {
      const env = cleanEnv({ ...services.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' });
      const run = await runLogged(['setup', '--api-key', services.opentok.apiKey, '--app', 'ib-demo', '--non-interactive', '--dry-run', '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.packages).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/client-iam', '@aws-sdk/client-sts', 'heroku-client']));
    } finally {
      await services.close();
    }
  });
});

describe('start-up time', () => {
  it('--help takes less than 3× `node -e 0` (median of 7, interleaved; npm run bench holds the 1.5× target)', () => {
    const env = cleanEnv();
    const base: number[] = [];
    const help: number[] = [];
    const time = (args: string[]) => {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
      expect(r.status).toBe(0);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < 8; i++) {
      const b = time(['-e', '0']);
      const h = time(['--', BIN, '--help']);
      if (i === 0) continue; // warm-up
      base.push(b);
      help.push(h);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const ratio = median(help) / median(base);
    expect(ratio, `--help ${median(help).toFixed(1)} ms vs node -e 0 ${median(base).toFixed(1)} ms`).toBeLessThan(3);
  });
});
