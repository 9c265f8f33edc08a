// A correct set-up built by the real `ib-archive setup` against the stand-ins, SDK clients to break it, and doctor runs.
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import Heroku from 'heroku-client';
import { expect } from 'vitest';
import type { LocalServices, LocalServicesOptions } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  status: Status;
  detail: string;
  fix: string | null;
}

export interface DoctorReport {
  result: CliResult;
  ok: boolean;
  checks: DoctorCheck[];
  byId: Record<string, DoctorCheck>;
}

export const ALL_IDS = [
  'aws.identity',
  's3.bucket',
  's3.cors',
  's3.folder',
  's3.upload',
  's3.public-read',
  's3.not-listable',
  's3.lifecycle',
  'iam.key',
  'heroku.app',
  'heroku.vars',
  'opentok.credentials',
  'opentok.storage',
  'opentok.archives',
];

/** A check's status when a test names none: a correct set-up has no archives yet, so opentok.archives skips. */
const UNNAMED: Record<string, Status> = { 'opentok.archives': 'skip' };

export interface SetUp {
  services: LocalServices;
  apiKey: string;
  apiSecret: string;
  app: string;
  bucket: string;
  keyId: string;
  secret: string;
  user: string;
  url: string;
  s3: S3Client;
  iam: IAMClient;
  /** PATCH /apps/ib-demo/config-vars (null deletes), as `heroku config:set` does. */
  setVars(vars: Record<string, string | null>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stand-ins and runs the real setup (with --configure-opentok) to get a correct set-up. */
export async function correctSetUp(opts: LocalServicesOptions = {}, setupArgs: string[] = []): Promise<SetUp> {
  const services = await startLocalServices({ opentokStorageReadable: true, ...opts });
  const { apiKey, apiSecret } = services.opentok;
  const app = 'ib-demo';
  const r = await runCli(['setup', '--api-key', apiKey, '--api-secret', apiSecret, '--configure-opentok', '--app', app, '--yes', '--non-interactive', ...setupArgs], services);
  if (r.code !== 0) throw new Error(`setup failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const vars = services.control.app(app)!.configVars;
  const keyId = vars.AWS_ACCESS_KEY_ID!;
  const user = services.control.users().find((u) => u.keys.some((k) => k.accessKeyId === keyId))!.userName;
  const credentials = services.rootKey;
  const bucketRegion = services.control.bucket(vars.S3_BUCKET_NAME!)!.region;
  const s3 = new S3Client({ region: bucketRegion, credentials, endpoint: services.urls.s3, forcePathStyle: true });
  const iam = new IAMClient({ region: 'us-east-1', credentials, endpoint: services.urls.iam });
  const heroku = new Heroku({ token: services.herokuToken, host: services.urls.heroku });
  services.recorder.reset();
  return {
    services,
    apiKey,
    apiSecret,
    app,
    bucket: vars.S3_BUCKET_NAME!,
    keyId,
    secret: vars.AWS_SECRET_ACCESS_KEY!,
    user,
    url: vars.S3_COMPOSEDVIDEO_URL!,
    s3,
    iam,
    setVars: async (v) => void (await heroku.patch(`/apps/${app}/config-vars`, { body: v })),
    close: async () => {
      s3.destroy();
      iam.destroy();
      await services.close();
    },
  };
}

/** `ib-archive doctor --json` for the set-up (with the OpenTok secret unless `withSecret` is false). */
export async function doctor(s: SetUp, extra: string[] = [], opts: { withSecret?: boolean; env?: Record<string, string | undefined> } = {}): Promise<DoctorReport> {
  const args = ['doctor', '--api-key', s.apiKey, '--app', s.app, '--json', '--non-interactive', ...(opts.withSecret === false ? [] : ['--api-secret', s.apiSecret]), ...extra];
  return parseReport(await runCli(args, s.services, { env: opts.env }));
}

/** The JSON document of a `doctor --json` run. */
export function parseReport(result: CliResult): DoctorReport {
  let doc: { command: string; ok: boolean; checks: DoctorCheck[] };
  try {
    doc = result.json();
  } catch {
    throw new Error(`doctor printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  expect(doc.command).toBe('doctor');
  return { result, ok: doc.ok, checks: doc.checks, byId: Object.fromEntries(doc.checks.map((c) => [c.id, c])) };
}

export type Expectation = Status | [Status, RegExp];

/**
 * Asserts the whole report: the listed checks have the given status (and detail), every other check passes,
 * every fail/warn has a fix, the exit code follows, no probe is left, no secret printed, no unknown request.
 */
export function expectReport(s: SetUp, report: DoctorReport, expected: Record<string, Expectation>): void {
  const actual = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  const wanted = Object.fromEntries(ALL_IDS.map((id) => [id, [expected[id] ?? UNNAMED[id] ?? 'pass'].flat()[0]]));
  expect(actual, JSON.stringify(report.checks, null, 2)).toEqual(wanted);
  expect(report.checks.map((c) => c.id)).toEqual(ALL_IDS);
  for (const [id, e] of Object.entries(expected)) {
    if (Array.isArray(e)) expect(report.byId[id]!.detail).toMatch(e[1]);
  }
  for (const c of report.checks) {
    if (c.status === 'fail' || c.status === 'warn') expect(c.fix, `${c.id} has a fix`).toMatch(/\S/);
    expect(c.detail, `${c.id} has a detail`).toMatch(/\S/);
  }
  const failing = report.checks.some((c) => c.status === 'fail');
  expect(report.ok).toBe(!failing);
  expect(report.result.code).toBe(failing ? 1 : 0);
  expectNoProbeLeft(s);
  const printed = report.result.stdout + report.result.stderr;
  for (const secret of [s.secret, s.apiSecret, s.services.herokuToken, s.services.rootKey.secretAccessKey]) expect(printed).not.toContain(secret);
  expect(s.services.recorder.unknown).toEqual([]);
}

export function expectNoProbeLeft(s: SetUp): void {
  const keys = [...(s.services.control.bucket(s.bucket)?.objects.keys() ?? [])];
  expect(keys.filter((k) => k.includes('ib-archive-doctor-'))).toEqual([]);
}
