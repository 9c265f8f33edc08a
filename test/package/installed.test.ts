// The packed tarball installed in an empty project, started the way users start it (the `ib-archive` bin, which
// Node runs as `node <script> …`): --vars-file with a file that does not exist yet works end to end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { baseEnv, recordRunOutput } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let bin: string;
let s: LocalServices;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ib-archive-installed-'));
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  const project = join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), '{"name":"empty","version":"1.0.0","private":true}\n');
  // The package has no runtime dependencies, so this needs no registry.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, info!.filename)], { cwd: project, encoding: 'utf8' });
  bin = join(project, 'node_modules', '.bin', 'ib-archive');
  s = await startLocalServices();
}, 180_000);

afterAll(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the installed bin (asynchronously: the stand-ins answer from this process). */
function installed(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = baseEnv(s);
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => {
      recordRunOutput(args, s, env, stdout, stderr);
      done({ status, stdout, stderr });
    });
  });
}

describe('the installed ib-archive command', () => {
  it('setup --no-heroku --vars-file <new file> writes the four vars (mode 0600); doctor reads them back', async () => {
    const file = join(dir, 'new.env');
    const setup = await installed(['setup', '--api-key', s.opentok.apiKey, '--no-heroku', '--vars-file', file, '--yes', '--non-interactive']);
    expect(setup.status, setup.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL']) expect(text).toMatch(new RegExp(`^${name}=.+$`, 'm'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doctor = await installed(['doctor', '--api-key', s.opentok.apiKey, '--no-heroku', '--vars-file', file, '--non-interactive', '--json']);
    expect(doctor.status, doctor.stdout).toBe(0);
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string }[] };
    expect(report.checks.find((c) => c.id === 'heroku.vars')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 's3.upload')?.status).toBe('pass');
  });
});
