// Renders docs/demo.svg and docs/doctor.svg from real runs of bin/ib-archive.js in an 80-column terminal.
// `npm run pictures` builds first (the script runs dist/). Each run happens on a pseudo-terminal (util-linux
// `script`), so stdout is a terminal and the output wraps as users see it; CI=true keeps spinners off, so the
// transcript is plain lines with colour codes, which ansi-to-svg turns into SVG text.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const ansiToSvg = require('ansi-to-svg');

const ROOT = resolve(import.meta.dirname, '..');
// The SDK client used below runs in this process (the CLI's own runs get it through cleanEnv).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const BIN = join(ROOT, 'bin/ib-archive.js');
// `--out <dir>` writes the pictures elsewhere (the test suite does); docs/ by default.
const outAt = process.argv.indexOf('--out');
const DOCS = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(ROOT, 'docs');
const COLS = 80;
const ESC = '\u001b[';

/** Runs the CLI on an 80-column pseudo-terminal; resolves with everything the terminal showed and the exit code. */
function runOnTerminal(args, env) {
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${COLS} rows 60; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return new Promise((done, fail) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, screen });
    });
    child.stdin.end();
  });
}

/** A clean environment: no account, profile or endpoint of this machine reaches the runs. */
function cleanEnv(home, extra = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    CI: 'true',
    FORCE_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

const SGR = /\u001b\[[0-9;]*m/g;
const visible = (line) => [...line.replace(SGR, '')];

/** A line wider than the terminal, cut every COLS characters as the terminal shows it (colour codes kept). */
function foldAsTerminal(line) {
  if (visible(line).length <= COLS) return line;
  const rows = [''];
  let used = 0;
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) rows[rows.length - 1] += part;
    else
      for (const ch of part) {
        if (used === COLS) [rows[rows.length], used] = ['', 0];
        rows[rows.length - 1] += ch;
        used += 1;
      }
  }
  return rows.join('\n');
}

/**
 * The transcript as lines of text and colour codes; anything that moves the cursor (a spinner frame) is an error, and so
 * is a line wider than the terminal unless one token in it is (the CLI then gives that token a line of its own).
 */
function plainTranscript(screen, what) {
  const text = screen.replace(/\r\n/g, '\n').replace(/\n+$/, '');
  const control = /\u001b\[[0-9;?]*[A-Za-ln-z]|\r|\u001b[^[]/.exec(text);
  if (control) throw new Error(`${what}: the transcript moves the cursor (${JSON.stringify(control[0])}); a picture needs plain lines`);
  const lines = text.split('\n');
  const wide = lines.find((l) => visible(l).length > COLS && !new RegExp(`\\S{${COLS + 1},}`).test(visible(l).join('')));
  if (wide) throw new Error(`${what}: a line is wider than ${COLS} columns:\n${wide}`);
  return lines.map(foldAsTerminal).join('\n');
}

/** ansi-to-svg draws faint (SGR 2) text at full strength: show it grey, as most terminals do. */
function faintAsGrey(ansi) {
  return ansi.replaceAll(`${ESC}2m`, `${ESC}90m`).replaceAll(`${ESC}22m`, `${ESC}22m${ESC}39m`);
}

const COLORS = {
  black: '#1e1e1e', red: '#f14c4c', green: '#23d18b', yellow: '#e5e510', blue: '#3b8eea', magenta: '#d670d6',
  cyan: '#29b8db', white: '#e5e5e5', gray: '#8a8a8a', redBright: '#f14c4c', greenBright: '#23d18b',
  yellowBright: '#f5f543', blueBright: '#3b8eea', magentaBright: '#d670d6', cyanBright: '#29b8db', whiteBright: '#ffffff',
  backgroundColor: '#1e1e1e', foregroundColor: '#d4d4d4',
};

/** Writes one picture: the command typed at a prompt, then what the terminal showed. */
function writePicture(file, command, transcript, note) {
  const typed = `${ESC}32m$${ESC}39m ${ESC}1m${command}${ESC}22m`;
  const lines = [...(note ? [`${ESC}90m# ${note}${ESC}39m`] : []), typed, transcript];
  const svg = ansiToSvg(faintAsGrey(lines.join('\n')), {
    colors: COLORS,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, DejaVu Sans Mono, monospace',
    paddingTop: 12,
    paddingLeft: 14,
    paddingBottom: 12,
    paddingRight: 14,
  });
  // Runs of spaces align the columns: SVG collapses them unless told to keep them. ansi-to-svg already moves each
  // text's x past its leading spaces (for SVG's default of dropping them), so those go.
  const kept = svg
    .replace('<svg ', '<svg xml:space="preserve" style="white-space:pre" ')
    .replace(/(<text [^>]*>) +/g, '$1');
  writeFileSync(join(DOCS, file), `${kept}\n`);
  console.log(`wrote ${join(DOCS, file)} (${Math.round(kept.length / 1024)} kB)`);
}

/** Loads the stand-ins (TypeScript) bundled into .build/ (inside the project, so its packages resolve from node_modules). */
async function loadStandIns() {
  const outfile = join(ROOT, `.build/pictures-standins-${process.pid}.mjs`);
  await build({ entryPoints: [join(ROOT, 'src/standins/index.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

async function demoPicture(home) {
  const run = await runOnTerminal(['demo'], cleanEnv(home));
  if (run.code !== 0) throw new Error(`ib-archive demo exited ${run.code}:\n${run.screen}`);
  // The picture shows the set-up and its proof; the demo goes on (a rescue, an IBS backend) past doctor's summary.
  const transcript = plainTranscript(run.screen, 'demo');
  const lines = transcript.split('\n');
  const end = lines.findIndex((l) => l.includes('No issues found'));
  if (end < 0) throw new Error(`the demo's doctor did not pass:\n${transcript}`);
  const rest = `${ESC}90m… then a rescue of a recording that missed the bucket, and an IBS backend's BUCKET_URL${ESC}39m`;
  writePicture('demo.svg', 'npx ib-archive demo', [...lines.slice(0, end + 1), '', rest].join('\n'));
}

async function doctorPicture(home) {
  const { startLocalServices } = await loadStandIns();
  const { S3Client, DeleteBucketCorsCommand } = await import('@aws-sdk/client-s3');
  const services = await startLocalServices({ opentokStorageReadable: true });
  try {
    const apiKey = services.opentok.apiKey;
    const bucket = `ib-archive-${apiKey}`;
    const env = cleanEnv(home, { ...services.env, OPENTOK_API_SECRET: services.opentok.apiSecret });
    const setupArgs = ['setup', '--api-key', apiKey, '--app', 'ib-demo', '--region', 'eu-west-1', '--configure-opentok', '--yes'];
    const setup = await runOnTerminal(setupArgs, env);
    if (setup.code !== 0) throw new Error(`setup exited ${setup.code}:\n${setup.screen}`);

    // The break: someone removes the bucket's CORS configuration after setup.
    const s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: services.env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: services.env.AWS_ACCESS_KEY_ID, secretAccessKey: services.env.AWS_SECRET_ACCESS_KEY },
    });
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    s3.destroy();

    const args = ['doctor', '--api-key', apiKey, '--app', 'ib-demo'];
    const run = await runOnTerminal(args, env);
    const transcript = plainTranscript(run.screen, 'doctor');
    if (run.code !== 1 || !transcript.includes('CORS')) throw new Error(`doctor should fail on CORS (exit ${run.code}):\n${run.screen}`);
    writePicture('doctor.svg', `npx ib-archive ${args.join(' ')}`, transcript, "after setup, the bucket's CORS configuration was deleted");
  } finally {
    await services.close();
  }
}

if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('npm run pictures needs `script` from util-linux (apt-get install bsdutils) for a pseudo-terminal.');
  process.exit(2);
}
mkdirSync(DOCS, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'ib-archive-pictures-'));
try {
  for (const home of ['home-demo', 'home-doctor']) mkdirSync(join(work, home));
  await demoPicture(join(work, 'home-demo'));
  await doctorPicture(join(work, 'home-doctor'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
