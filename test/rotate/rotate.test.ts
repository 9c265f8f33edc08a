// rotate-key against the stand-ins: both consumers switch to a new key before the old one goes; every interruption
// leaves a working app, and a re-run finishes without a third key.
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { cleanHome, runCli } from '../helpers/cli.js';

let s: LocalServices;
beforeEach(async () => {
  s = await startLocalServices({ opentokStorageReadable: true });
});
afterEach(async () => {
  expect(s.recorder.unknown.map((r) => `${r.method} ${r.path} ${r.operation}`)).toEqual([]);
  await s.close();
});

const key = () => s.opentok.apiKey;
const setupArgs = (app = 'ib-demo') => ['setup', '--api-key', key(), '--api-secret', s.opentok.apiSecret, '--configure-opentok', '--app', app, '--yes', '--non-interactive', '--json'];
const rotateArgs = (...extra: string[]) => ['rotate-key', '--api-key', key(), '--app', 'ib-demo', '--non-interactive', '--json', ...extra];
const withSecret = ['--api-secret', () => s.opentok.apiSecret] as const;
const secretArgs = () => [withSecret[0], withSecret[1]()];

interface RotateDoc {
  ok: boolean;
  oldKey: string;
  newKey: string;
  steps: { id: string; status: string; detail: string }[];
  error?: { code: string; message: string };
}

/** The user's keys, the app's key and OpenTok's key, as the stand-ins hold them. */
function keysNow(app = 'ib-demo') {
  const user = s.control.user(`ib-archive-${app}`)!;
  const vars = s.control.app(app)!.configVars;
  const storage = s.control.opentokStorage(key()) as { config: { accessKey: string; secretKey: string } };
  return {
    keys: user.keys.map((k) => ({ id: k.accessKeyId, status: k.status, secret: k.secretAccessKey })),
    app: vars.AWS_ACCESS_KEY_ID!,
    appSecret: vars.AWS_SECRET_ACCESS_KEY!,
    opentok: storage.config.accessKey,
    opentokSecret: storage.config.secretKey,
    tags: user.tags,
  };
}

/** Both consumers hold an active key of the user, with its own secret. */
function expectWorking(app = 'ib-demo') {
  const k = keysNow(app);
  const active = (id: string, secret: string) => k.keys.some((x) => x.id === id && x.status === 'Active' && x.secret === secret);
  expect(active(k.app, k.appSecret), `the app's key ${k.app} is active`).toBe(true);
  expect(active(k.opentok, k.opentokSecret), `OpenTok's key ${k.opentok} is active`).toBe(true);
  return k;
}

async function doctorPasses(): Promise<void> {
  const r = await runCli(['doctor', '--api-key', key(), '--api-secret', s.opentok.apiSecret, '--app', 'ib-demo', '--non-interactive', '--json'], s);
  expect(r.code, r.stdout).toBe(0);
}

describe('rotate-key', () => {
  it('switches Heroku (one release) and OpenTok to a new key, deletes the old one; doctor passes; another app is untouched', async () => {
    s.control.createApp('ib-staging', {});
    expect((await runCli(setupArgs(), s)).code).toBe(0);
    expect((await runCli(setupArgs('ib-staging'), s)).code).toBe(0);
    const before = keysNow();
    const staging = keysNow('ib-staging');
    const releases = s.control.app('ib-demo')!.releases;

    const r = await runCli([...rotateArgs(), ...secretArgs()], s);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const doc = r.json<RotateDoc>();
    expect(doc.oldKey).toBe(before.app);
    expect(doc.steps.map((x) => `${x.id} ${x.status}`)).toEqual(['iam.access-key created', 'heroku.config-vars updated', 'opentok.storage updated', 's3.upload unchanged', 'iam.old-key deleted']);
    const after = expectWorking();
    expect(after.app).toBe(doc.newKey);
    expect(after.opentok).toBe(doc.newKey);
    expect(after.keys.map((k) => k.id)).toEqual([doc.newKey]);
    expect(s.control.app('ib-demo')!.releases).toBe(releases + 1);
    expect(after.tags).not.toHaveProperty('ib-archive:key-pending');
    expect(keysNow('ib-staging').keys).toEqual(staging.keys);
    expect(r.stdout + r.stderr).not.toContain(after.appSecret);
    await doctorPasses();
  });

  it('--keep-old leaves the old key inactive, and the next rotation still works', async () => {
    expect((await runCli(setupArgs(), s)).code).toBe(0);
    const first = await runCli([...rotateArgs('--keep-old'), ...secretArgs()], s);
    expect(first.code, first.stderr).toBe(0);
    const doc = first.json<RotateDoc>();
    expect(keysNow().keys.find((k) => k.id === doc.oldKey)?.status).toBe('Inactive');
    const second = await runCli([...rotateArgs(), ...secretArgs()], s);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`Deleted access key ${doc.oldKey}`);
    const after = expectWorking();
    expect(after.keys.map((k) => k.id)).toEqual([second.json<RotateDoc>().newKey]);
  });

  it('without --api-secret keeps the old key active, says what is left, and a re-run with it finishes without a third key', async () => {
    expect((await runCli(setupArgs(), s)).code).toBe(0);
    const old = keysNow().app;
    const half = await runCli(['rotate-key', '--api-key', key(), '--app', 'ib-demo', '--non-interactive'], s);
    expect(half.code, half.stderr).toBe(0);
    expect(half.stdout).toMatch(/stays active\. Finish with:\n\s+ib-archive rotate-key .*--api-secret/);
    const mid = expectWorking();
    expect(mid.opentok).toBe(old);
    expect(mid.keys).toHaveLength(2);
    s.recorder.reset();
    const rest = await runCli([...rotateArgs(), ...secretArgs()], s);
    expect(rest.code, rest.stderr).toBe(0);
    expect(s.recorder.requests.filter((q) => q.operation === 'CreateAccessKey')).toEqual([]);
    const after = expectWorking();
    expect(after.keys.map((k) => k.id)).toEqual([mid.app]);
    expect(after.opentok).toBe(mid.app);
  });

  it('--dry-run sends no write', async () => {
    expect((await runCli(setupArgs(), s)).code).toBe(0);
    s.recorder.reset();
    const r = await runCli([...rotateArgs('--dry-run'), ...secretArgs()], s);
    expect(r.code, r.stderr).toBe(0);
    expect(s.recorder.writes()).toEqual([]);
    expect(r.json<RotateDoc>().steps.filter((x) => x.status === 'planned').map((x) => x.id)).toEqual(['iam.access-key', 'heroku.config-vars', 'opentok.storage', 's3.upload', 'iam.old-key']);
  });

  it('--no-heroku --vars-file rewrites the file (mode 0600)', async () => {
    const file = join(cleanHome(), 'ib.env');
    expect((await runCli(['setup', '--api-key', key(), '--no-heroku', '--vars-file', file, '--yes', '--non-interactive'], s)).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    const r = await runCli(['rotate-key', '--api-key', key(), '--no-heroku', '--vars-file', file, '--non-interactive', '--json', ...secretArgs()], s);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<RotateDoc>();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`AWS_ACCESS_KEY_ID=${doc.newKey}`);
    expect(text).not.toEqual(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(s.control.user(`ib-archive-${key()}`)!.keys.map((k) => k.accessKeyId)).toEqual([doc.newKey]);
  });

  it('refuses an ibs app without --api-secret (exit 2) before any write', async () => {
    s.control.createApp('ibs-api', { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), BUCKET_URL: 'https://b.s3.eu-west-1.amazonaws.com' });
    const r = await runCli(['rotate-key', '--api-key', key(), '--app', 'ibs-api', '--non-interactive', '--json'], s);
    expect(r.code).toBe(2);
    expect(r.json<RotateDoc>().error?.code).toBe('missing_input');
    expect(s.recorder.writes()).toEqual([]);
  });
});
