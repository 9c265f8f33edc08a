// The wizard as a process against the local stand-ins: fresh run, re-run, dry run, merges, regions, secrets.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { cleanHome, runCli } from '../helpers/cli.js';

let services: LocalServices;
beforeEach(async () => {
  services = await startLocalServices();
});
afterEach(async () => {
  expect(services.recorder.unknown.map((r) => `${r.method} ${r.path} ${r.operation}`)).toEqual([]);
  await services.close();
});

const key = () => services.opentok.apiKey;
const bucketName = () => `ib-archive-${key()}`;
const baseArgs = () => ['setup', '--api-key', key(), '--app', 'ib-demo', '--yes', '--non-interactive'];

interface SetupDoc {
  command: string;
  ok: boolean;
  dryRun: boolean;
  steps: { id: string; status: string; detail: string }[];
  configVars: Record<string, string>;
  tokbox: Record<string, string>;
  error?: { code: string; message: string; missing: string[] };
}

function secretOf(user: string): string {
  const u = services.control.user(user);
  expect(u?.keys).toHaveLength(1);
  return u!.keys[0]!.secretAccessKey;
}

describe('setup, fresh and re-run', () => {
  it('creates everything in one non-interactive run, then a re-run changes nothing', async () => {
    const first = await runCli([...baseArgs(), '--json'], services);
    expect(first.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    expect(first.code).toBe(0);
    const doc = first.json<SetupDoc>();
    expect(doc.ok).toBe(true);
    expect(doc.steps.map((s) => s.id)).toEqual([
      'aws.identity', 's3.bucket', 's3.cors', 's3.folder', 's3.public-access-block', 's3.policy',
      'iam.user', 'iam.policy', 'iam.access-key', 'heroku.config-vars', 'opentok.storage',
    ]);
    expect(doc.steps.find((s) => s.id === 's3.bucket')?.status).toBe('created');
    expect(doc.steps.find((s) => s.id === 'iam.access-key')?.status).toBe('created');

    // The clouds now hold what the IB docs ask for.
    const bucket = services.control.bucket(bucketName())!;
    expect(bucket.region).toBe('us-east-1');
    expect(bucket.cors).toEqual([expect.objectContaining({ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST', 'PUT'], AllowedHeaders: ['*'] })]);
    expect(bucket.objects.has(`${key()}/`)).toBe(true);
    expect(bucket.publicAccessBlock).toMatchObject({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(JSON.stringify(bucket.policy)).toContain(`arn:aws:s3:::${bucketName()}/${key()}/*`);
    const user = services.control.user(`ib-archive-ib-demo`)!;
    expect(user.tags['ib-archive:managed']).toBe('true');
    expect([...user.policies.keys()]).toEqual(['ib-archive-s3']);
    const app = services.control.app('ib-demo')!;
    expect(app.releases).toBe(1);
    expect(app.configVars).toEqual({
      NODE_ENV: 'production',
      AWS_ACCESS_KEY_ID: user.keys[0]!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretOf(user.userName),
      S3_BUCKET_NAME: bucketName(),
      S3_COMPOSEDVIDEO_URL: `${services.urls.s3}/${bucketName()}/`,
    });
    expect(doc.configVars.AWS_SECRET_ACCESS_KEY).toBe('<redacted>');
    expect(first.stdout + first.stderr).not.toContain(secretOf(user.userName));

    // Anonymous read works for the folder, and only there.
    const probeKey = `${key()}/probe.txt`;
    bucket.objects.set(probeKey, { body: Buffer.from('hi') });
    bucket.objects.set('private.txt', { body: Buffer.from('no') });
    expect((await fetch(`${services.urls.s3}/${bucketName()}/${probeKey}`)).status).toBe(200);
    expect((await fetch(`${services.urls.s3}/${bucketName()}/private.txt`)).status).toBe(403);

    services.recorder.reset();
    const second = await runCli([...baseArgs(), '--json'], services);
    expect(second.code).toBe(0);
    const again = second.json<SetupDoc>();
    expect(again.steps.filter((s) => s.status !== 'unchanged' && s.id !== 'opentok.storage')).toEqual([]);
    expect(services.recorder.writes().map((r) => r.operation)).toEqual([]);
    expect(services.control.user(user.userName)!.keys).toHaveLength(1);
    expect(services.control.app('ib-demo')!.releases).toBe(1);
  });

  it('prints a readable report with the TokBox step prefilled', async () => {
    const run = await runCli(baseArgs(), services);
    expect(run.code).toBe(0);
    const user = services.control.user(`ib-archive-ib-demo`)!;
    expect(run.stdout).toContain('Last step, in the TokBox dashboard');
    expect(run.stdout).toContain(`select project ${key()}`);
    expect(run.stdout).toContain(user.keys[0]!.accessKeyId);
    expect(run.stdout).toContain('heroku config:get AWS_SECRET_ACCESS_KEY -a ib-demo');
    expect(run.stdout).toContain(`Bucket name:        ${bucketName()}`);
    expect(run.stdout).toContain('ib-archive doctor');
    expect(run.stdout + run.stderr).not.toContain(user.keys[0]!.secretAccessKey);
  });

  it('--dry-run sends no write request and reports the plan', async () => {
    const run = await runCli([...baseArgs(), '--dry-run', '--json'], services);
    expect(run.code).toBe(0);
    const doc = run.json<SetupDoc>();
    expect(doc.dryRun).toBe(true);
    expect(doc.steps.find((s) => s.id === 's3.bucket')?.status).toBe('planned');
    expect(doc.steps.find((s) => s.id === 'iam.access-key')?.status).toBe('planned');
    expect(services.recorder.writes()).toEqual([]);
    expect(services.control.bucket(bucketName())).toBeUndefined();
  });
});

describe('setup merges, never clobbers', () => {
  it('keeps an existing CORS rule, policy statement and unrelated config vars', async () => {
    const b = services.control.createBucket(bucketName(), 'us-east-1');
    const theirRule = { ID: 'theirs', AllowedOrigins: ['https://cdn.example.com'], AllowedMethods: ['GET'], AllowedHeaders: ['Authorization'] };
    b.cors = [theirRule];
    const theirStatement = { Sid: 'Theirs', Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${services.accountId}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucketName()}/private/*` };
    b.policy = { Version: '2012-10-17', Statement: [theirStatement] };
    services.control.createApp('ib-other', { DATABASE_URL: 'postgres://x', S3_BUCKET_NAME: 'old-bucket' });

    const refused = await runCli(['setup', '--api-key', key(), '--app', 'ib-other', '--non-interactive', '--json'], services);
    expect(refused.code).toBe(2);
    expect(refused.json<SetupDoc>().error?.missing).toEqual(['--yes']);
    expect(services.recorder.writes()).toEqual([]);

    const run = await runCli(['setup', '--api-key', key(), '--app', 'ib-other', '--yes', '--json'], services);
    expect(run.code).toBe(0);
    const bucket = services.control.bucket(bucketName())!;
    expect(bucket.cors?.[0]).toEqual(theirRule);
    expect(bucket.cors).toHaveLength(2);
    expect(bucket.policy?.Statement[0]).toEqual(theirStatement);
    expect(bucket.policy?.Statement).toHaveLength(2);
    const vars = services.control.app('ib-other')!.configVars;
    expect(vars.DATABASE_URL).toBe('postgres://x');
    expect(vars.S3_BUCKET_NAME).toBe(bucketName());
  });

  it('adopts an existing bucket in its real region and says so', async () => {
    services.control.createBucket(bucketName(), 'eu-west-1');
    const run = await runCli([...baseArgs(), '--region', 'us-east-1'], services);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/exists in eu-west-1/);
    expect(services.control.buckets().filter((b) => b.name === bucketName())).toHaveLength(1);
    expect(services.control.bucket(bucketName())!.cors).toHaveLength(1);
  });

  it('creates a bucket in the chosen region (LocationConstraint) and the URL ends with /', async () => {
    const run = await runCli([...baseArgs(), '--region', 'eu-central-1', '--json'], services);
    expect(run.code).toBe(0);
    expect(services.control.bucket(bucketName())!.region).toBe('eu-central-1');
    expect(run.json<SetupDoc>().configVars.S3_COMPOSEDVIDEO_URL).toMatch(/\/$/);
  });

  it('stops on a bucket owned by another account, before changing anything', async () => {
    services.control.createBucket(bucketName(), 'us-east-1', 'other');
    const run = await runCli([...baseArgs(), '--json'], services);
    expect(run.code).toBe(1);
    const doc = run.json<SetupDoc>();
    expect(doc.error?.code).toBe('bucket_not_yours');
    expect(doc.error?.message).toMatch(/another AWS account/);
    expect(services.recorder.writes()).toEqual([]);
  });
});

describe('setup without Heroku', () => {
  it('refuses to create a key whose secret would be lost', async () => {
    const run = await runCli(['setup', '--api-key', key(), '--no-heroku', '--yes', '--json'], services);
    expect(run.code).toBe(2);
    expect(run.json<SetupDoc>().error?.missing).toEqual(['--vars-file', '--show-secrets']);
    expect(services.recorder.writes()).toEqual([]);
  });

  it('writes the four vars to --env-file with mode 0600, and a re-run reuses the key', async () => {
    const dir = cleanHome();
    const file = join(dir, '.env');
    const run = await runCli(['setup', '--api-key', key(), '--no-heroku', '--vars-file', file, '--yes'], services);
    expect(run.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const user = services.control.user(bucketName())!;
    expect(text).toContain(`AWS_SECRET_ACCESS_KEY=${user.keys[0]!.secretAccessKey}`);
    expect(text).toContain(`S3_COMPOSEDVIDEO_URL=${services.urls.s3}/${bucketName()}/`);
    expect(run.stdout).toContain(`ib-archive doctor --api-key ${key()} --no-heroku --vars-file ${file}`);
    expect(run.stdout + run.stderr).not.toContain(user.keys[0]!.secretAccessKey);

    services.recorder.reset();
    const again = await runCli(['setup', '--api-key', key(), '--no-heroku', '--vars-file', file, '--yes', '--json'], services);
    expect(again.code).toBe(0);
    expect(again.json<SetupDoc>().steps.find((s) => s.id === 'iam.access-key')?.status).toBe('unchanged');
    expect(services.control.user(user.userName)!.keys).toHaveLength(1);
  });

  it('refuses an --env-file in a missing folder before changing anything', async () => {
    const file = join(cleanHome(), 'no-such-folder', '.env');
    const run = await runCli(['setup', '--api-key', key(), '--no-heroku', '--vars-file', file, '--yes', '--json'], services);
    expect(run.code).toBe(2);
    expect(run.json<SetupDoc>().error?.code).toBe('invalid_vars_file');
    expect(services.recorder.writes()).toEqual([]);
  });

  it('prints the secret only with --show-secrets', async () => {
    const run = await runCli(['setup', '--api-key', key(), '--no-heroku', '--show-secrets', '--yes'], services);
    expect(run.code).toBe(0);
    const user = services.control.user(bucketName())!;
    expect(run.stdout).toContain(user.keys[0]!.secretAccessKey);
    expect(run.stderr).not.toContain(user.keys[0]!.secretAccessKey);
  });
});

describe('the Heroku token', () => {
  it('comes from ~/.netrc (machine api.heroku.com) when HEROKU_API_KEY is not set', async () => {
    const home = cleanHome();
    writeFileSync(join(home, '.netrc'), `machine api.heroku.com\n  login me@example.com\n  password ${services.herokuToken}\n`, { mode: 0o600 });
    const run = await runCli(baseArgs(), services, { env: { HEROKU_API_KEY: undefined, HOME: home } });
    expect(run.code).toBe(0);
    expect(services.control.app('ib-demo')!.releases).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(services.herokuToken);
  });

  it('comes from `heroku auth:token` when the Heroku CLI is installed', async () => {
    const bin = cleanHome();
    writeFileSync(join(bin, 'heroku'), `#!/bin/sh\n[ "$1" = "auth:token" ] && echo ${services.herokuToken}\n`, { mode: 0o755 });
    const run = await runCli(baseArgs(), services, { env: { HEROKU_API_KEY: undefined, PATH: `${bin}:${process.env.PATH}` } });
    expect(run.code).toBe(0);
    expect(services.control.app('ib-demo')!.releases).toBe(1);
  });

  it('is named as missing in a non-interactive run without any source', async () => {
    const run = await runCli([...baseArgs(), '--json'], services, { env: { HEROKU_API_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.json<SetupDoc>().error?.missing).toEqual(['HEROKU_API_KEY']);
    expect(services.recorder.requests).toEqual([]);
  });
});
