// doctor on an IBS backend app (BUCKET_URL alone, the key held only by OpenTok's storage), and s3.lifecycle both ways.
import { CreateUserCommand, DeleteAccessKeyCommand, DeleteUserPolicyCommand, GetUserPolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IAM_POLICY_NAME } from '../../src/policy.js';
import { createOpenTokApi } from '../../src/services/opentok.js';
import { cleanHome, runCli } from '../helpers/cli.js';
import type { RecordedRequest } from '../../src/standins/recorder.js';
import { type SetUp, correctSetUp, doctor, expectNoProbeLeft, expectReport, parseReport } from './helpers.js';

const CLASSIC_VARS = { AWS_ACCESS_KEY_ID: null, AWS_SECRET_ACCESS_KEY: null, S3_BUCKET_NAME: null, S3_COMPOSEDVIDEO_URL: null };

/** A set-up made by setup, turned into the IBS backend's: its .env vars and BUCKET_URL, no AWS keys; OpenTok keeps the key. */
async function ibsSetUp(setupArgs: string[] = []): Promise<SetUp & { bucketUrl: string }> {
  const s = await correctSetUp({}, setupArgs);
  const bucketUrl = s.url.replace(/\/$/, '');
  await s.setVars({ ...CLASSIC_VARS, NODE_ENV: 'production', PORT: '3000', JWT_SECRET: 'jwt-signing-value', INTERACTIVE_STREAM_LIMIT: '3', BUCKET_URL: bucketUrl });
  s.services.recorder.reset();
  return { ...s, bucketUrl };
}

async function withIbs(fn: (s: SetUp & { bucketUrl: string }) => Promise<void>, setupArgs: string[] = []): Promise<void> {
  const s = await ibsSetUp(setupArgs);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe.concurrent('doctor on an ibs app', () => {
  it('passes every check: BUCKET_URL, the key OpenTok uses (policy simulation), the probe read through BUCKET_URL', () =>
    withIbs(async (s) => {
      const report = await doctor(s);
      expectReport(s, report, {
        'heroku.app': ['pass', /ibs app: it has BUCKET_URL and JWT_SECRET \(the IBS backend/],
        'heroku.vars': ['pass', new RegExp(`^BUCKET_URL ${s.bucketUrl} addresses ${s.bucket} in `)],
        'iam.key': ['pass', new RegExp(`^${s.keyId}, the key OpenTok's storage names, is an active key of IAM user ${s.user}; IAM policy simulation allows s3:PutObject`)],
        's3.upload': ['pass', /with your credentials \(an ibs app holds no AWS key/],
        's3.public-read': ['pass', new RegExp(`at ${s.bucketUrl}/${s.apiKey}/ib-archive-doctor-`)],
        's3.lifecycle': ['pass', /archives are kept until deleted/],
        'opentok.archives': 'skip',
      });
      const ops = s.services.recorder.requests.filter((r) => r.service === 'iam').map((r) => r.operation);
      expect(ops).toContain('SimulatePrincipalPolicy');
      expect(ops).toContain('GetAccessKeyLastUsed');
      // Every signed request used the operator's key: the app holds none, and OpenTok's secret is never shown.
      const signers = new Set(s.services.recorder.requests.flatMap((r) => (r.accessKeyId ? [r.accessKeyId] : [])));
      expect([...signers]).toEqual([s.services.rootKey.accessKeyId]);
    }));

  it('fails heroku.vars for a BUCKET_URL with a trailing slash, and the "//" link fails the public read', () =>
    withIbs(async (s) => {
      await s.setVars({ BUCKET_URL: `${s.bucketUrl}/` });
      const report = await doctor(s);
      expectReport(s, report, {
        'heroku.vars': ['fail', /ends with "\/": the backend joins `\$\{BUCKET_URL\}\/<apiKey>\/…`, and S3 reads the "\/\/" as another key/],
        's3.public-read': ['fail', /archive links break/],
      });
      expect(report.byId['heroku.vars']!.fix).toBe(`heroku config:set BUCKET_URL=${s.bucketUrl} -a ib-demo`);
      expect(report.byId['s3.public-read']!.fix).toBe(`heroku config:set BUCKET_URL=${s.bucketUrl} -a ib-demo`);
    }));

  it('fails heroku.vars for a BUCKET_URL of another bucket than --bucket', () =>
    withIbs(async (s) => {
      const other = s.bucketUrl.replace(s.bucket, 'ib-archive-other');
      await s.setVars({ BUCKET_URL: other });
      const report = await doctor(s, ['--bucket', s.bucket]);
      expectReport(s, report, {
        'heroku.vars': ['fail', new RegExp(`^BUCKET_URL ${other} addresses bucket ib-archive-other, not ${s.bucket} \\(--bucket\\)$`)],
        's3.public-read': 'fail',
      });
      expect(report.byId['heroku.vars']!.fix).toBe(`heroku config:set BUCKET_URL=${s.bucketUrl} -a ib-demo`);
    }));

  it('fails heroku.vars when BUCKET_URL addresses another bucket than OpenTok uploads to', () =>
    withIbs(async (s) => {
      const region = s.services.control.bucket(s.bucket)!.region;
      s.services.control.createBucket('ib-archive-other', region);
      await s.setVars({ BUCKET_URL: s.bucketUrl.replace(s.bucket, 'ib-archive-other') });
      const report = await doctor(s);
      expect(report.result.code).toBe(1);
      expect(report.byId['heroku.vars']).toMatchObject({ status: 'fail', detail: expect.stringMatching(new RegExp(`addresses bucket ib-archive-other, while OpenTok uploads the archives to ${s.bucket}`)) });
      expect(report.byId['heroku.vars']!.fix).toMatch(new RegExp(`If the archives belong in ${s.bucket}: Run \`ib-archive setup .*--bucket ${s.bucket}`));
      expect(report.byId['opentok.storage']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not ib-archive-other/) });
      expect(report.byId['iam.key']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/may not s3:PutObject on arn:aws:s3:::ib-archive-other\//) });
    }));

  it('fails heroku.vars when BUCKET_URL is missing, with the command that sets it', () =>
    withIbs(async (s) => {
      await s.setVars({ BUCKET_URL: null });
      const bare = await doctor(s, [], { withSecret: false });
      expect(bare.byId['heroku.vars']).toMatchObject({ status: 'fail', detail: 'BUCKET_URL is not set: the IBS backend needs it to link archives' });
      expect(bare.byId['heroku.vars']!.fix).toMatch(/^Run `ib-archive setup --api-key \d+ --app ib-demo --yes`: it sets BUCKET_URL/);
      expect(bare.byId['s3.bucket']).toMatchObject({ status: 'skip', detail: 'no bucket to check: BUCKET_URL is not set (heroku.vars)' });
      expect(bare.byId['s3.lifecycle']!.status).toBe('skip');
      const named = await doctor(s, ['--bucket', s.bucket]);
      expectReport(s, named, { 'heroku.vars': ['fail', /BUCKET_URL is not set/], 's3.public-read': ['fail', /BUCKET_URL is not set, so the app cannot link archives/] });
      expect(named.byId['heroku.vars']!.fix).toBe(`heroku config:set BUCKET_URL=${s.bucketUrl} -a ib-demo`);
    }));

  it('warns (exit 0) when the app still carries AWS keys the IBS backend never reads, without printing the secret', () =>
    withIbs(async (s) => {
      await s.setVars({ AWS_ACCESS_KEY_ID: s.keyId, AWS_SECRET_ACCESS_KEY: s.secret });
      const report = await doctor(s, ['--app-type', 'ibs']);
      expectReport(s, report, {
        'heroku.app': ['pass', /ibs app: --app-type/],
        'heroku.vars': ['warn', /still carries AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which the IBS backend never reads/],
        's3.upload': ['pass', /with your credentials/],
      });
      expect(report.byId['heroku.vars']!.fix).toBe('heroku config:unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY -a ib-demo');
      // The secret alone is no sign of a classic app: detected as ibs, still warned about.
      await s.setVars({ AWS_ACCESS_KEY_ID: null });
      const detected = await doctor(s);
      expectReport(s, detected, { 'heroku.vars': ['warn', /still carries AWS_SECRET_ACCESS_KEY,/], 'heroku.app': ['pass', /ibs app: it has BUCKET_URL/] });
    }));

  it('checks the BUCKET_URL of a --vars-file with --no-heroku --app-type ibs', () =>
    withIbs(async (s) => {
      const file = join(cleanHome(), 'ibs.env');
      writeFileSync(file, `JWT_SECRET=jwt-signing-value\nBUCKET_URL=${s.bucketUrl}\n`, { mode: 0o600 });
      const args = ['doctor', '--api-key', s.apiKey, '--api-secret', s.apiSecret, '--no-heroku', '--vars-file', file, '--json'];
      const report = parseReport(await runCli([...args, '--app-type', 'ibs'], s.services));
      expectReport(s, report, {
        'heroku.app': ['skip', new RegExp(`^--no-heroku: the values come from .*ibs\.env; ibs app: --app-type$`)],
        'heroku.vars': ['pass', new RegExp(`^BUCKET_URL ${s.bucketUrl} addresses ${s.bucket}`)],
      });
      writeFileSync(file, `JWT_SECRET=jwt-signing-value\nBUCKET_URL=${s.bucketUrl}/\n`, { mode: 0o600 });
      const slash = parseReport(await runCli([...args, '--app-type', 'ibs'], s.services));
      expect(slash.byId['heroku.vars']!.fix).toBe(`set BUCKET_URL=${s.bucketUrl} in ${file}`);
      // Without the flag a --no-heroku run is classic, as the contract says, and asks for the four vars.
      const classic = parseReport(await runCli(args, s.services));
      expect(classic.byId['heroku.vars']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_BUCKET_NAME, S3_COMPOSEDVIDEO_URL are not set/) });
      expect(classic.byId['heroku.app']!.detail).toMatch(/classic app: no app to read \(use --app-type ibs/);
    }));

  it('skips iam.key without the OpenTok secret, naming why; the probe still runs with the operator', () =>
    withIbs(async (s) => {
      const report = await doctor(s, [], { withSecret: false });
      expectReport(s, report, {
        'iam.key': ['skip', /no API secret: the key under test is the one OpenTok's storage names; pass --api-secret/],
        'opentok.credentials': 'skip',
        'opentok.storage': 'skip',
      });
    }));

  it("fails iam.key when the dedicated user's policy no longer allows the upload", () =>
    withIbs(async (s) => {
      await s.iam.send(new DeleteUserPolicyCommand({ UserName: s.user, PolicyName: IAM_POLICY_NAME }));
      const report = await doctor(s);
      expectReport(s, report, { 'iam.key': ['fail', new RegExp(`IAM user ${s.user} may not s3:PutObject on arn:aws:s3:::${s.bucket}/${s.apiKey}/.* \\(implicitDeny\\)`)] });
      expect(report.byId['iam.key']!.fix).toMatch(new RegExp(`Run \`ib-archive setup .*--iam-user ${s.user} --yes\`: it writes the ${IAM_POLICY_NAME} policy`));
    }));

  it("warns when OpenTok's storage names a key of a user that is not the app's dedicated one", () =>
    withIbs(async (s) => {
      await s.iam.send(new CreateUserCommand({ UserName: 'uploader' }));
      const doc = await s.iam.send(new GetUserPolicyCommand({ UserName: s.user, PolicyName: IAM_POLICY_NAME }));
      await s.iam.send(new PutUserPolicyCommand({ UserName: 'uploader', PolicyName: 'custom', PolicyDocument: decodeURIComponent(doc.PolicyDocument!) }));
      const key = s.services.control.createAccessKey('uploader');
      const api = createOpenTokApi(s.apiKey, s.apiSecret, s.services.urls.opentok, { sleep: async () => undefined });
      await api.putStorage({ type: 's3', config: { bucket: s.bucket, accessKey: key.accessKeyId, secretKey: key.secretAccessKey, endpoint: s.services.urls.s3 }, fallback: 'opentok' });
      const report = await doctor(s);
      expectReport(s, report, { 'iam.key': ['warn', /IAM user uploader is not the app's dedicated user: it is not named ib-archive-ib-demo or /] });
      expect(report.byId['iam.key']!.fix).toMatch(/creates a dedicated IAM user/);
    }));

  it('fails iam.key when the key OpenTok uses is inactive, then when it is deleted', () =>
    withIbs(async (s) => {
      await s.iam.send(new UpdateAccessKeyCommand({ UserName: s.user, AccessKeyId: s.keyId, Status: 'Inactive' }));
      const inactive = await doctor(s);
      expectReport(s, inactive, { 'iam.key': ['fail', new RegExp(`^${s.keyId}, the key OpenTok's storage names, of IAM user ${s.user} is inactive`)] });
      expect(inactive.byId['iam.key']!.fix).toMatch(new RegExp(`^aws iam update-access-key --user-name ${s.user} --access-key-id ${s.keyId} --status Active`));
      await s.iam.send(new DeleteAccessKeyCommand({ UserName: s.user, AccessKeyId: s.keyId }));
      const deleted = await doctor(s);
      expectReport(s, deleted, { 'iam.key': ['fail', new RegExp(`OpenTok's storage names the key ${s.keyId}, which AWS does not know`)] });
    }));

  it('fails iam.key (no crash, no hang) when the policy simulation never answers', () =>
    withIbs(async (s) => {
      s.services.recorder.addFault({ match: (r) => r.operation === 'SimulatePrincipalPolicy', kind: 'hang', times: 10 });
      const report = await doctor(s, ['--timeout', '2']);
      expect(report.byId['iam.key']).toMatchObject({ status: 'fail', detail: 'no answer within 2 s', fix: expect.stringMatching(/--timeout/) });
      expect(report.result.code).toBe(1);
    }));

  it('warns that the key cannot be judged when the policy simulation keeps failing (503)', () =>
    withIbs(async (s) => {
      s.services.recorder.addFault({ match: (r) => r.operation === 'SimulatePrincipalPolicy', kind: '5xx', times: 30 });
      const report = await doctor(s);
      expectReport(s, report, { 'iam.key': ['warn', /IAM policy simulation could not be run for s3:ListAllMyBuckets, s3:ListBucket, s3:PutObject/] });
      expect(report.byId['iam.key']!.fix).toMatch(/iam:SimulatePrincipalPolicy/);
    }));
});

describe.concurrent("doctor's probe on an ibs app (written with the operator's credentials)", () => {
  const probePut = (r: RecordedRequest) => r.service === 's3' && r.method === 'PUT' && r.path.includes('/ib-archive-doctor-');
  for (const [kind, expected] of [
    ['5xx', ['fail', /^Trying to write s3:\/\/[\w-]+\/\d+\/ \(s3:PutObject\) failed/]],
    ['lost', ['fail', /^Trying to write s3:\/\/[\w-]+\/\d+\/ \(s3:PutObject\): could not reach AWS \(ECONNRESET\)/]],
    ['hang', ['fail', /no answer within 3 s/]],
  ] as const) {
    it(`reports s3.upload as ${expected[0]} when every probe PUT is answered "${kind}", and leaves no probe`, () =>
      withIbs(async (s) => {
        s.services.recorder.addFault({ match: probePut, kind, times: 10 });
        const report = await doctor(s, kind === 'hang' ? ['--timeout', '3'] : []);
        expect(report.byId['s3.upload']).toMatchObject({ status: expected[0], detail: expect.stringMatching(expected[1]), fix: expect.stringMatching(/\S/) });
        expect(report.byId['s3.public-read']!.status).toBe('skip');
        expect(report.result.code).toBe(1);
        expectNoProbeLeft(s);
        if (kind === 'lost') expect(s.services.recorder.requests.some((r) => r.method === 'DELETE' && r.path.includes('/ib-archive-doctor-'))).toBe(true);
      }));
  }
});

describe.concurrent('doctor s3.lifecycle', () => {
  it("passes with the days of the project's expiry rule set by setup", async () => {
    const s = await correctSetUp({}, ['--expire-after-days', '30']);
    try {
      expectReport(s, await doctor(s), { 's3.lifecycle': ['pass', new RegExp(`^archives expire after 30 days \\(ib-archive's rule ib-archive-${s.apiKey}\\)$`)] });
    } finally {
      await s.close();
    }
  });

  it("passes with the days of the bucket's own rule covering the folder on an ibs app", () =>
    withIbs(async (s) => {
      await s.s3.send(
        new PutBucketLifecycleConfigurationCommand({ Bucket: s.bucket, LifecycleConfiguration: { Rules: [{ ID: 'all-after-a-week', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 7 } }] } }),
      );
      expectReport(s, await doctor(s), { 's3.lifecycle': ['pass', /^archives expire after 7 days \(the bucket's rule all-after-a-week\)$/], 'opentok.archives': 'skip' });
    }));
});
