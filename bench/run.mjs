// `npm run bench` (issue #6): start-up time, time to the first prompt, package size, and the requests, round trips
// and wall time of setup and doctor against the local stand-ins. Plain Node and public tools only (npm, util-linux
// `script` when present). Prints a table of every number against its target and keeps the last run in bench/RESULTS.md.
// A missed target is shown in the table, not in the exit code: only a crash of the bench exits non-zero.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The bin every measurement runs: the installed copy of the packed tarball once section 3 has made it. */
let BIN = path.join(ROOT, 'bin', 'ib-archive.js');
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');
const WORK = path.join(ROOT, '.build', 'bench');
/** Runs of each start-up measurement (the issue asks for a median of at least 10). */
const RUNS = Math.max(10, Number(process.env.BENCH_RUNS) || 21);
const PROMPT_RUNS = 7;
const PROMPT_TEXT = 'OpenTok API key';
/** What `heroku auth:token` costs when the Heroku CLI is installed (issue #6 measured `heroku --version` at 1.15 s). */
const HEROKU_CLI_MS = 1150;

const rows = [];
const waveReports = [];
const notes = [];

/** One line of the table: `ok` true/false against the target, null when there is no target or no value. */
function row(metric, value, target = '—', ok = null) {
  rows.push({ metric, value, target, ok });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const firstLine = (text) => String(text).trim().split('\n')[0]?.slice(0, 160) ?? '';
const tmp = (prefix) => mkdtempSync(path.join(os.tmpdir(), prefix));

/** Nothing from the developer's shell: no real account, profile, CI flag or Heroku login reaches the CLI. */
function cleanEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '',
    ...(process.platform === 'win32' ? { SystemRoot: process.env.SystemRoot ?? '' } : {}),
    HOME: tmp('ib-bench-home-'),
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Start-up: --help, --version and an input-validation error against `node -e 0`, interleaved so drift hits all.

function startup() {
  const env = cleanEnv();
  const cases = {
    base: ['-e', '0'],
    help: ['--', BIN, '--help'],
    version: ['--', BIN, '--version'],
    invalid: ['--', BIN, 'setup', '--api-key', 'abc', '--non-interactive'],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS + 2; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (r.error) throw r.error;
      if (name === 'help' || name === 'version') {
        if (r.status !== 0) throw new Error(`ib-archive ${args.at(-1)} exited ${r.status}`);
      }
      if (i >= 2) times[name].push(elapsed); // two warm-up rounds (disk cache)
    }
  }
  const base = median(times.base);
  const fastestBase = Math.min(...times.base);
  row(`\`node -e 0\` (median of ${RUNS})`, ms(base));
  for (const [name, label, target] of [
    ['help', '`ib-archive --help`', 1.5],
    ['version', '`ib-archive --version`', 1.5],
    ['invalid', '`setup --api-key abc --non-interactive` (validation error)', undefined],
  ]) {
    const m = median(times[name]);
    const ratio = m / base;
    const fastest = Math.min(...times[name]) / fastestBase;
    row(`${label} / \`node -e 0\``, `${ratio.toFixed(2)}× (${ms(m)}; fastest runs ${fastest.toFixed(2)}×)`, target ? `≤ ${target}×` : '—', target ? ratio <= target : null);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Time to the first prompt: the CLI asks only when stdin and stderr are TTYs, so run it under a pseudo-terminal.

function scriptFlavour() {
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: 'no `script` command (util-linux) to give the CLI a pseudo-terminal' };
  if (!/util-linux/.test(`${r.stdout}${r.stderr}`)) return { ok: false, reason: '`script` is not the util-linux one (its -qfec options are needed)' };
  return { ok: true };
}

const shQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Launch → the first question's text on the terminal, in ms; rejects after 10 s. */
function timeToPrompt(env) {
  return new Promise((resolve, reject) => {
    const command = `${shQuote(process.execPath)} ${shQuote(BIN)} setup`;
    const started = performance.now();
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    let result;
    const finish = (value) => {
      if (result !== undefined) return;
      result = value;
      // Closing the terminal (script's master side) hangs the CLI up; wait for script to go so no run overlaps the next.
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => finish(new Error(`no prompt within 10 s; the terminal showed: ${JSON.stringify(seen.slice(-300))}`)), 10_000);
    child.stdout.on('data', (d) => {
      seen += d.toString();
      if (seen.includes(PROMPT_TEXT)) finish(performance.now() - started);
    });
    child.on('error', (err) => finish(err));
    child.on('close', () => {
      clearTimeout(timer);
      if (result === undefined) result = new Error(`the CLI ended before asking; it printed: ${JSON.stringify(seen.slice(-300))}`);
      if (result instanceof Error) reject(result);
      else resolve(result);
    });
  });
}

async function firstPrompt() {
  const flavour = scriptFlavour();
  const labels = ['time to first prompt (`ib-archive setup`, pty)', 'time to first prompt with the Heroku CLI installed'];
  if (!flavour.ok) {
    for (const label of labels) row(label, `n/a: ${flavour.reason}`, '≤ 250 ms');
    return;
  }
  const term = { TERM: 'xterm-256color' };
  // A stand-in `heroku` that answers `auth:token` (not logged in) after as long as the real CLI takes to start.
  const stubDir = tmp('ib-bench-heroku-');
  const stub = path.join(stubDir, 'heroku');
  writeFileSync(stub, `#!/bin/sh\nsleep ${HEROKU_CLI_MS / 1000}\necho " ›   Error: not logged in" >&2\nexit 100\n`);
  chmodSync(stub, 0o755);
  const variants = [
    [labels[0], cleanEnv(term)],
    [`${labels[1]} (stub \`heroku auth:token\` taking ${(HEROKU_CLI_MS / 1000).toFixed(2)} s)`, cleanEnv({ ...term, PATH: `${stubDir}${path.delimiter}${process.env.PATH ?? ''}` })],
  ];
  for (const [label, env] of variants) {
    try {
      const times = [];
      for (let i = 0; i < PROMPT_RUNS + 1; i++) {
        const t = await timeToPrompt(env);
        if (i > 0) times.push(t);
      }
      const m = median(times);
      row(`${label}, median of ${PROMPT_RUNS}`, ms(m), '≤ 250 ms', m <= 250);
    } catch (err) {
      row(label, `n/a: ${firstLine(err.message)}`, '≤ 250 ms');
    }
  }
  rmSync(stubDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Package: `npm pack`, then install the tarball with its production dependencies into an empty project.

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function npm(args, cwd) {
  return execFileSync(NPM, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', maxBuffer: 64 << 20 });
}

/** Apparent size (sum of file sizes) and file count of a directory tree. */
function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = treeSize(full);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += lstatSync(full).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/** Installed packages under node_modules (top level and scoped). */
function installedPackages(nodeModules) {
  const names = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const sub of readdirSync(path.join(nodeModules, entry.name))) names.push(`${entry.name}/${sub}`);
    } else names.push(entry.name);
  }
  return names;
}

/** Files the tarball must hold for the bin to run. */
const REQUIRED = ['bin/ib-archive.js', 'bin/package.json', 'dist/cli.cjs', 'dist/run.js'];

function pack(packDir) {
  // The bench has just built dist/ (npm run bench), so prepack's build is skipped here; `npm pack` alone runs it.
  const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT);
  const info = JSON.parse(out.slice(out.indexOf('[')))[0];
  const files = new Set(info.files.map((f) => f.path));
  return { info, missing: REQUIRED.filter((f) => !files.has(f)) };
}

/**
 * Packs and installs the package; returns the installed directory, which every later measurement runs, so that a
 * concurrent `npm run build` in this checkout (it empties dist/ first) cannot disturb them.
 */
function packageSize() {
  const packDir = tmp('ib-bench-pack-');
  const installDir = tmp('ib-bench-install-');
  try {
    let { info, missing } = pack(packDir);
    if (missing.length > 0) {
      // Another build was emptying dist/ at that moment: build again and pack once more.
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
      rmSync(path.join(packDir, info.filename), { force: true });
      ({ info, missing } = pack(packDir));
      if (missing.length > 0) throw new Error(`the tarball lacks ${missing.join(', ')} (is another build rewriting dist/?)`);
    }
    const tarball = path.join(packDir, info.filename);
    row(`packed tarball (\`npm pack\`, ${info.entryCount} files)`, mb(lstatSync(tarball).size));

    writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'ib-archive-bench-install', version: '0.0.0', private: true }));
    npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', tarball], installDir);
    const nodeModules = path.join(installDir, 'node_modules');
    const size = treeSize(nodeModules);
    const deps = installedPackages(nodeModules).filter((n) => n !== 'ib-archive');
    row(
      `installed: tarball + production dependencies (${deps.length} dependencies, ${size.files} files)`,
      mb(size.bytes),
      '≤ 12 MB',
      size.bytes <= 12e6,
    );
    const run = spawnSync(process.execPath, [path.join(nodeModules, 'ib-archive', 'bin', 'ib-archive.js'), '--version'], { encoding: 'utf8', env: cleanEnv() });
    const version = run.stdout.trim();
    row('installed bin runs (`ib-archive --version`)', run.status === 0 ? version : `exit ${run.status}: ${firstLine(run.stderr)}`, 'prints the version', run.status === 0 && version === info.version);
    if (run.status === 0) {
      BIN = path.join(nodeModules, 'ib-archive', 'bin', 'ib-archive.js');
      return installDir;
    }
    notes.push('The installed package did not run: the other measurements use this checkout\'s bin/ and dist/.');
  } catch (err) {
    row('package size', `n/a: ${firstLine(err.stderr || err.message)}`, '≤ 12 MB');
    notes.push('No installed package: the other measurements use this checkout\'s bin/ and dist/.');
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  rmSync(installDir, { recursive: true, force: true });
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Requests: setup (fresh, then a no-change re-run) and doctor against the stand-ins with added latency.

/** The stand-ins are TypeScript: bundle them for this process (not shipped: .build/ is outside the package). */
async function loadStandIns() {
  const outfile = path.join(WORK, 'local-services.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'src', 'standins', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** Runs the CLI as a child process (asynchronously: the stand-ins answer from this process). */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--', BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

/**
 * Round trips: request i is in wave 1 + max(wave of every request that ended before i started). The depth is the
 * number of waves, the longest chain of requests each of which waited for the one before.
 */
function waves(requests) {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
  const wave = new Map();
  for (const r of sorted) {
    let w = 1;
    for (const p of sorted) {
      if (p === r) break;
      if ((p.endedAt ?? Infinity) <= r.startedAt) w = Math.max(w, wave.get(p) + 1);
    }
    wave.set(r, w);
  }
  const byWave = [];
  for (const r of sorted) (byWave[wave.get(r) - 1] ??= []).push(r);
  return byWave;
}

const describeRequest = (r, newKeys) =>
  `${r.service} ${r.operation}${r.write ? ' (write)' : ''}${newKeys.has(r.accessKeyId) ? ' [new key]' : ''}`;

async function scenario(services, label, args, env, opts = {}) {
  services.recorder.reset();
  const result = await runCli(args, env);
  const requests = [...services.recorder.requests];
  const byWave = waves(requests);
  const span = requests.length ? Math.max(...requests.map((r) => r.endedAt ?? r.startedAt)) - Math.min(...requests.map((r) => r.startedAt)) : 0;
  return { label, ...result, requests, byWave, depth: byWave.length, writes: requests.filter((r) => r.write && !r.faulted), span, latencyMs: services.recorder.latencyMs, ...opts };
}

function recordWaves(s, newKeys) {
  const lines = s.byWave.map((w, i) => `  ${String(i + 1).padStart(2)}. ${w.map((r) => describeRequest(r, newKeys)).join(' · ')}`);
  waveReports.push(
    `${s.label} @ ${s.latencyMs} ms: ${s.requests.length} requests in ${s.depth} waves; requests span ${ms(s.span)} of ${ms(s.wallMs)} wall (exit ${s.code})\n${lines.join('\n')}`,
  );
}

async function requests() {
  let mod;
  try {
    mod = await loadStandIns();
  } catch (err) {
    row('requests of setup and doctor', `n/a: the stand-ins did not build: ${firstLine(err.message)}`);
    return;
  }
  const services = await mod.startLocalServices({ latencyMs: 50, keyPropagationMs: 0, opentokStorageReadable: true });
  try {
    const { apiKey, apiSecret } = services.opentok;
    const env = cleanEnv(services.env);
    const common = ['--api-key', apiKey, '--api-secret', apiSecret, '--app', 'ib-demo', '--non-interactive', '--json'];
    const setupArgs = ['setup', ...common, '--configure-opentok', '--yes'];
    const doctorArgs = ['doctor', ...common];
    const rootKey = services.rootKey.accessKeyId;
    const newKeys = () => new Set(services.control.users().flatMap((u) => u.keys.map((k) => k.accessKeyId)).filter((id) => id !== rootKey));

    const setupOk = (s) => {
      if (s.code === 0) return true;
      let message = firstLine(s.stderr);
      try {
        message = JSON.parse(s.stdout).error?.message ?? message;
      } catch {
        // not JSON
      }
      row(`${s.label}`, `n/a: exit ${s.code}: ${firstLine(message)}`);
      return false;
    };

    // Fresh setup without --configure-opentok, on stand-ins of its own (a fresh account).
    const plain = await mod.startLocalServices({ latencyMs: 50, keyPropagationMs: 0 });
    try {
      const sc = await scenario(plain, 'fresh setup without --configure-opentok', ['setup', '--api-key', plain.opentok.apiKey, '--app', 'ib-demo', '--non-interactive', '--json', '--yes'], cleanEnv(plain.env));
      const keys = new Set(plain.control.users().flatMap((u) => u.keys.map((k) => k.accessKeyId)));
      recordWaves(sc, keys);
      if (setupOk(sc)) {
        const polls = sc.requests.filter((r) => r.service === 'sts' && r.operation === 'GetCallerIdentity' && keys.has(r.accessKeyId));
        const counted = sc.requests.length - polls.length;
        row(`fresh setup, no --configure-opentok: requests (${sc.requests.length} minus ${polls.length} new-key poll${polls.length === 1 ? '' : 's'})`, String(counted), '≤ 20', counted <= 20);
      }
    } finally {
      await plain.close();
    }

    // Fresh setup with --configure-opentok.
    const fresh = await scenario(services, 'fresh setup', setupArgs, env);
    const keys = newKeys();
    recordWaves(fresh, keys);
    if (setupOk(fresh)) {
      const polls = fresh.requests.filter((r) => r.service === 'sts' && r.operation === 'GetCallerIdentity' && keys.has(r.accessKeyId));
      const counted = fresh.requests.length - polls.length;
      row(`fresh setup --configure-opentok: requests (${fresh.requests.length} minus ${polls.length} new-key poll${polls.length === 1 ? '' : 's'})`, String(counted), '≤ 23', counted <= 23);
      row('fresh setup: writes', String(fresh.writes.length));
      row('fresh setup: round-trip depth (waves)', String(fresh.depth));
      row('fresh setup: wall time @ 50 ms/request', ms(fresh.wallMs));
    }

    // The same command again: everything is in place.
    const rerun = await scenario(services, 'no-change re-run', setupArgs, env);
    recordWaves(rerun, newKeys());
    if (setupOk(rerun)) {
      row('no-change re-run: requests', String(rerun.requests.length), '≤ 12', rerun.requests.length <= 12);
      row('no-change re-run: writes', `${rerun.writes.length}${rerun.writes.length ? ` (${rerun.writes.map((r) => `${r.service} ${r.operation}`).join(', ')})` : ''}`, '0', rerun.writes.length === 0);
      row('no-change re-run: round-trip depth (waves)', String(rerun.depth));
      row('no-change re-run: wall time @ 50 ms/request', ms(rerun.wallMs));
    }

    // Doctor, at 50 then 100 ms per request. It may still be a placeholder: then its rows say n/a.
    const doctorRows = (s) => {
      if (s.requests.length === 0 && s.code !== 0) {
        let message = firstLine(s.stderr);
        try {
          message = JSON.parse(s.stdout).error?.message ?? message;
        } catch {
          // not JSON
        }
        return `n/a: doctor sent no request (exit ${s.code}: ${message.replace(/^✗ /, '')})`;
      }
      return undefined;
    };
    const doctor = await scenario(services, 'doctor', doctorArgs, env);
    const missing = doctorRows(doctor);
    const exitNote = doctor.code === 0 ? '' : ` (exit ${doctor.code})`;
    if (missing) {
      row('doctor: requests · depth · wall @ 50 ms/request', missing);
      row('doctor: wall time @ 100 ms/request', missing, '≤ 1.5 s');
    } else {
      recordWaves(doctor, newKeys());
      row(`doctor: requests${exitNote}`, String(doctor.requests.length));
      row('doctor: writes', String(doctor.writes.length));
      row('doctor: round-trip depth (waves)', String(doctor.depth));
      row('doctor: wall time @ 50 ms/request', ms(doctor.wallMs));
      services.recorder.latencyMs = 100;
      const slow = await scenario(services, 'doctor', doctorArgs, env);
      recordWaves(slow, newKeys());
      row(`doctor: wall time @ 100 ms/request${slow.code === 0 ? '' : ` (exit ${slow.code})`}`, ms(slow.wallMs), '≤ 1.5 s', slow.wallMs <= 1500);
    }
    // Day two: a rotation, then a teardown (with --yes; archives kept).
    const pollsOf = (sc, keys) => sc.requests.filter((r) => r.service === 'sts' && r.operation === 'GetCallerIdentity' && keys.has(r.accessKeyId));
    services.recorder.latencyMs = 50;
    for (const [label, args, target] of [
      ['rotate-key', ['rotate-key', ...common], 12],
      ['teardown', ['teardown', ...common, '--yes'], 20],
    ]) {
      const sc = await scenario(services, label, args, env);
      const keys = newKeys();
      recordWaves(sc, keys);
      if (!setupOk(sc)) continue;
      const polls = pollsOf(sc, keys);
      const counted = sc.requests.length - polls.length;
      row(`${label}: requests${polls.length ? ` (${sc.requests.length} minus ${polls.length} new-key poll${polls.length === 1 ? '' : 's'})` : ''}`, String(counted), `≤ ${target}`, counted <= target);
      row(`${label}: writes`, String(sc.writes.length));
      row(`${label}: round-trip depth (waves)`, String(sc.depth));
      row(`${label}: wall time @ 50 ms/request`, ms(sc.wallMs));
    }
    if (services.recorder.unknown.length > 0) {
      notes.push(`The stand-ins did not understand ${services.recorder.unknown.length} request(s): ${services.recorder.unknown.map((r) => `${r.service} ${r.method} ${r.path}`).join(', ')}.`);
    }
  } finally {
    await services.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

function table(markdown) {
  const mark = (ok) => (ok === true ? '✓' : ok === false ? '✗' : '–');
  const cells = rows.map((r) => [r.metric, r.value, r.target, mark(r.ok)]);
  const head = ['metric', 'value', 'target', ''];
  if (markdown) {
    const esc = (s) => String(s).replace(/\|/g, '\\|');
    return [`| ${head.join(' | ')} |`, '|---|---|---|---|', ...cells.map((c) => `| ${c.map(esc).join(' | ')} |`)].join('\n');
  }
  const plain = cells.map((c) => c.map((s) => String(s).replace(/`/g, '')));
  const width = head.map((h, i) => Math.max(h.length, ...plain.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => s.padEnd(width[i])).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...plain.map(line)].join('\n');
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli.cjs'))) throw new Error('dist/cli.cjs is missing: run `npm run bench` (it builds first).');
  mkdirSync(WORK, { recursive: true });
  const started = Date.now();
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const installed = packageSize();
  try {
    startup();
    await firstPrompt();
    await requests();
  } finally {
    if (installed) rmSync(installed, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  const machine = `${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model?.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()} ${os.arch()}; load average ${loadAtStart} at start`;
  const missed = rows.filter((r) => r.ok === false).length;
  const summary = `${rows.filter((r) => r.ok === true).length} target(s) met, ${missed} missed, ${rows.filter((r) => r.ok === null && /^n\/a/.test(r.value)).length} n/a.`;

  console.log(`\nib-archive bench · node ${process.version} · ${machine}\n`);
  console.log(table(false));
  console.log(`\n${summary}`);
  for (const n of notes) console.log(`Note: ${n}`);
  if (waveReports.length) console.log(`\nRequest waves (each wave waited for a request of the previous one):\n\n${waveReports.join('\n\n')}`);

  const md = [
    '# ib-archive benchmark: last run',
    '',
    `Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString()}, in ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
    `- Node ${process.version}`,
    `- Machine: ${machine}`,
    '',
    table(true),
    '',
    summary,
    ...notes.map((n) => `\nNote: ${n}`),
    '',
    '## How it is measured',
    '',
    `- Start-up: median wall time of ${RUNS} runs of each command, interleaved with \`node -e 0\` (after two warm-up rounds), clean environment, output to /dev/null.`,
    `- First prompt: \`ib-archive setup\` under a pseudo-terminal (util-linux \`script -qfec\`), from spawning \`script\` to "${PROMPT_TEXT}" appearing on the terminal; median of ${PROMPT_RUNS} after one warm-up run. The second line puts a stub \`heroku\` on PATH whose \`auth:token\` takes ${(HEROKU_CLI_MS / 1000).toFixed(2)} s, the start-up time of the real Heroku CLI.`,
    '- Package: `npm pack --ignore-scripts` (the bench has just built dist/), then `npm install --omit=dev <tarball>` into an empty project; installed size is the sum of file sizes under its node_modules. Every other measurement runs that installed copy (what users get, and safe from a concurrent rebuild of dist/).',
    '- Requests: the local stand-ins (src/standins) with 50 ms added to every request, key propagation 0 ms, OpenTok storage readable (as in `ib-archive demo`). `setup --configure-opentok --yes --non-interactive --json` on a fresh account, the same command again, then `doctor`; requests and writes from the stand-ins\' log. Key-propagation polls are STS GetCallerIdentity calls signed by the new key. Wall time is from spawning the CLI to its exit (it includes Node start-up and loading the SDKs).',
    '- Depth: request i belongs to wave 1 + the highest wave of any request that ended before i started; depth is the number of waves. It is measured, not inferred: a request sent late because its SDK was still loading, after a concurrent one had already been answered, counts as one more wave.',
    '',
    '## Request waves',
    '',
    '```',
    waveReports.join('\n\n') || '(none)',
    '```',
    '',
  ].join('\n');
  writeFileSync(RESULTS, md);
  console.log(`\nWrote ${path.relative(process.cwd(), RESULTS)}`);
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
