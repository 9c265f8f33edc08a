// Runs bin/ib-archive.js as a real process against the local stand-ins, with a clean environment.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { issuedSecrets } from './hooks.js';
import { logRun, secretsOf } from './leaks.js';

export const BIN = resolve(import.meta.dirname, '../../bin/ib-archive.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws when it is not exactly one document). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunOptions {
  /** Extra environment (merged over the stand-ins' env). */
  env?: Record<string, string | undefined>;
  /** Text written to stdin. */
  input?: string;
  /** Node binary to run (default: this process's). */
  node?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Called once the process is spawned (to send it signals). */
  onSpawn?: (child: ChildProcess) => void;
  /** More values that must never be printed (for the suite-wide leak scan). */
  secrets?: string[];
}

/** Every byte any CLI run printed during this test process; every run is also logged for the suite-wide leak scan (test/helpers/leaks.ts). */
export const allOutput: string[] = [];

/** Which test file a run belongs to, for the leak report (the test's name is not reliable under describe.concurrent). */
export function currentTestLabel(): string {
  try {
    const path = expect.getState().testPath;
    return path ? basename(path) : '?';
  } catch {
    return '?';
  }
}

/** Keeps a run's output for the leak scan, with every secret it could have printed. */
export function recordRunOutput(
  args: string[],
  services: LocalServices | undefined,
  env: Record<string, string | undefined>,
  stdout: string,
  stderr: string,
  extraSecrets: string[] = [],
): void {
  allOutput.push(stdout, stderr);
  const shown = args.map((a, i) => (args[i - 1] === '--api-secret' ? '<secret>' : a));
  logRun({ label: `${currentTestLabel()}: ${shown.join(' ')}`, args, stdout, stderr, secrets: secretsOf(services, env, args, extraSecrets) });
}

/** A fresh HOME so no real ~/.aws, ~/.netrc or Heroku login leaks into a test. */
export function cleanHome(): string {
  return mkdtempSync(join(tmpdir(), 'ib-archive-home-'));
}

/** Environment for a run against the stand-ins: their endpoints and credentials, nothing from the developer's machine. */
export function baseEnv(services?: LocalServices): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: cleanHome(),
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(services?.env ?? {}),
  };
}

export function runCli(args: string[], services?: LocalServices, opts: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = { ...baseEnv(services) };
  const madeHome = env.HOME!;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  if (services) issuedSecrets(services);
  return new Promise((resolvePromise, reject) => {
    // `--` first: Node itself rejects a script argument `--env-file <missing file>` otherwise (nodejs/node#54232).
    const child = spawn(opts.node ?? process.execPath, ['--', BIN, ...args], { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // The HOME made for this run only (a test that needs a HOME afterwards passes its own in opts.env).
      rmSync(madeHome, { recursive: true, force: true });
      recordRunOutput(args, services, env, stdout, stderr, opts.secrets);
      resolvePromise({
        code,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}
