// Every real IB deployment: the IBS backend's BUCKET_URL, one IAM user per app, the key's documented permissions.
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { runCli } from '../helpers/cli.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let s: LocalServices;
beforeEach(async () => {
  s = await startLocalServices({ opentokStorageReadable: true });
});
afterEach(async () => {
  expect(s.recorder.unknown.map((r) => `${r.method} ${r.path} ${r.operation}`)).toEqual([]);
  await s.close();
});

const IBS_VARS = { NODE_ENV: 'production', PORT: '3000', JWT_SECRET: 'jwt-secret-of-the-ibs-backend-0123456789', INTERACTIVE_STREAM_LIMIT: '3' };
const key = () => s.opentok.apiKey;
const bucket = () => `ib-archive-${key()}`;
const ibsSetup = (...extra: string[]) => ['setup', '--api-key', key(), '--app', 'ibs-api', '--region', 'eu-west-1', '--yes', '--non-interactive', '--json', ...extra];
const withOpenTok = () => ['--api-secret', s.opentok.apiSecret, '--configure-opentok'];
const s3As = (creds: { accessKeyId: string; secretAccessKey: string }, region = 'eu-west-1') =>
  new S3Client({ region, endpoint: s.urls.s3, forcePathStyle: true, credentials: creds, maxAttempts: 1 });

describe('an IBS backend (interactive-broadcast-api)', () => {
  it('gets exactly BUCKET_URL in one release; OpenTok gets the key; archives read at ${BUCKET_URL}/<key>/<id>/archive.*', async () => {
    s.control.createApp('ibs-api', IBS_VARS);
    const r = await runCli(ibsSetup(...withOpenTok()), s);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const app = s.control.app('ibs-api')!;
    expect(app.configVars).toEqual({ ...IBS_VARS, BUCKET_URL: `${s.urls.s3}/${bucket()}` });
    expect(app.releases).toBe(1);
    const doc = r.json<{ appType: string }>();
    expect(doc.appType).toBe('ibs');

    // OpenTok uploads with the storage's key, the backend links ${BUCKET_URL}/<apiKey>/<archiveId>/archive.mp4.
    const storage = s.control.opentokStorage(key()) as { config: { accessKey: string; secretKey: string } };
    const uploader = s3As({ accessKeyId: storage.config.accessKey, secretAccessKey: storage.config.secretKey });
    expect(r.stdout + r.stderr).not.toContain(storage.config.secretKey);
    for (const file of ['archive.mp4', 'archive.zip']) {
      const objectKey = `${key()}/0f6e1e5b-aaaa-4bbb-8ccc-000000000001/${file}`;
      await uploader.send(new PutObjectCommand({ Bucket: bucket(), Key: objectKey, Body: `bytes of ${file}` }));
      const link = `${app.configVars.BUCKET_URL}/${objectKey}`;
      const res = await fetch(link);
      expect(res.status, link).toBe(200);
      expect(await res.text()).toBe(`bytes of ${file}`);
    }

    s.recorder.reset();
    const again = await runCli(ibsSetup(...withOpenTok()), s);
    expect(again.code, again.stderr).toBe(0);
    expect(s.recorder.writes().map((w) => `${w.service} ${w.operation}`)).toEqual([]);

    const doctor = await runCli(['doctor', '--api-key', key(), '--api-secret', s.opentok.apiSecret, '--app', 'ibs-api', '--non-interactive', '--json'], s);
    expect(doctor.code, doctor.stdout).toBe(0);
    const checks = doctor.json<{ checks: { id: string; status: string }[] }>().checks;
    expect(checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
  });

  it('is refused (exit 2, no write) when the new secret would go nowhere', async () => {
    s.control.createApp('ibs-api', IBS_VARS);
    const r = await runCli(ibsSetup(), s);
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string; missing: string[] } }>().error).toMatchObject({ code: 'secret_destination_missing', missing: ['--configure-opentok', '--vars-file', '--show-secrets'] });
    expect(s.recorder.writes()).toEqual([]);
  });

  it('--app-type classic overrides what the vars say', async () => {
    s.control.createApp('ibs-api', IBS_VARS);
    const r = await runCli(ibsSetup('--app-type', 'classic'), s);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(s.control.app('ibs-api')!.configVars)).toEqual(expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'S3_COMPOSEDVIDEO_URL']));
  });
});

describe('several apps on one bucket', () => {
  it('gives each app its own IAM user and key; each key uploads', async () => {
    const apps = ['ib-prod', 'ib-staging', 'ib-dev'];
    for (const app of apps) {
      s.control.createApp(app, {});
      const r = await runCli(['setup', '--api-key', key(), '--app', app, '--yes', '--non-interactive'], s);
      expect(r.code, r.stderr).toBe(0);
    }
    const users = (await new IAMClient({ region: 'us-east-1', endpoint: s.urls.iam, credentials: s.rootKey }).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
    expect(users.sort()).toEqual(apps.map((a) => `ib-archive-${a}`).sort());
    for (const app of apps) {
      const vars = s.control.app(app)!.configVars;
      expect(s.control.user(`ib-archive-${app}`)!.keys.map((k) => k.accessKeyId)).toEqual([vars.AWS_ACCESS_KEY_ID]);
      await s3As({ accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! }, 'us-east-1').send(new PutObjectCommand({ Bucket: bucket(), Key: `${key()}/${app}.txt`, Body: app }));
    }
  });

  it('a set-up made with one ib-archive-<bucket> user for every app re-runs with 0 writes', async () => {
    // What earlier versions made: the user named after the bucket, tagged as ib-archive's, holding the app's key.
    const legacy = s.control.createUser(`ib-archive-${bucket()}`, { 'ib-archive:managed': 'true', 'ib-archive:bucket': bucket() });
    expect((await runCli(['setup', '--api-key', key(), '--app', 'ib-demo', '--iam-user', legacy.userName, '--yes', '--non-interactive'], s)).code).toBe(0);
    s.recorder.reset();
    const again = await runCli(['setup', '--api-key', key(), '--app', 'ib-demo', '--yes', '--non-interactive', '--json'], s);
    expect(again.code, again.stderr).toBe(0);
    expect(s.recorder.writes().map((w) => `${w.service} ${w.operation}`)).toEqual([]);
    expect(s.control.user('ib-archive-ib-demo')).toBeUndefined();
  });
});

describe("the app's key", () => {
  it('may list buckets, list this bucket and put archives; not another bucket, not IAM', async () => {
    s.control.createBucket('someone-elses-data', 'eu-west-1');
    expect((await runCli(['setup', '--api-key', key(), '--app', 'ib-demo', '--region', 'eu-west-1', '--yes', '--non-interactive'], s)).code).toBe(0);
    const vars = s.control.app('ib-demo')!.configVars;
    const creds = { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! };
    const s3 = s3As(creds);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(bucket());
    await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: `${key()}/` }));
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: `${key()}/a/archive.mp4`, Body: 'x' }));
    await expect(s3.send(new PutObjectCommand({ Bucket: 'someone-elses-data', Key: 'x', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'someone-elses-data' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const iam = new IAMClient({ region: 'us-east-1', endpoint: s.urls.iam, credentials: creds, maxAttempts: 1 });
    await expect(iam.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
