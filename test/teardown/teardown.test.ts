// teardown on a bucket that also holds the owner's own CORS rule, policy statement, lifecycle rule and vars: ours go, theirs stay.
import { PutBucketCorsCommand, PutBucketLifecycleConfigurationCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SetUp, correctSetUp } from '../doctor/helpers.js';
import { TEARDOWN_IDS, teardown } from './helpers.js';

describe('teardown of a set-up on a bucket with other rules, statements and vars', () => {
  let s: SetUp;
  const archiveKey = () => `${s.apiKey}/0b1c2d3e/archive.mp4`;
  const ownCors = { ID: 'owner-site', AllowedOrigins: ['https://owner.example'], AllowedMethods: ['GET'] };
  const ownStatement = { Sid: 'OwnerOnlyTls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::B/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };

  beforeAll(async () => {
    s = await correctSetUp({}, ['--expire-after-days', '30']);
    const bucket = s.services.control.bucket(s.bucket)!;
    ownStatement.Resource = `arn:aws:s3:::${s.bucket}/*`;
    await s.s3.send(new PutBucketCorsCommand({ Bucket: s.bucket, CORSConfiguration: { CORSRules: [...(bucket.cors as never[]), ownCors] } }));
    await s.s3.send(new PutBucketPolicyCommand({ Bucket: s.bucket, Policy: JSON.stringify({ ...bucket.policy, Statement: [...bucket.policy!.Statement, ownStatement] }) }));
    const ownRule = { ID: 'owner-logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled' as const, Expiration: { Days: 7 } };
    const ours = bucket.lifecycle!.map((r) => ({ ID: r.ID, Filter: { Prefix: r.Prefix }, Status: r.Status, Expiration: { Days: r.ExpirationDays } }));
    await s.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: s.bucket, LifecycleConfiguration: { Rules: [...ours, ownRule] } }));
    await s.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: archiveKey(), Body: 'an archive' }));
    await s.setVars({ OWNER_SETTING: 'kept', SECRET_KEY: 'app-secret' });
  }, 60_000);
  afterAll(() => s?.close());

  it('without --yes in a script: exit 2 naming --yes, and not one request', async () => {
    const run = await teardown(s, [], { yes: false });
    expect(run.result.code).toBe(2);
    expect(run.doc.error?.missing).toEqual(['--yes']);
    expect(run.requests).toBe(0);
  });

  it('--dry-run: the whole plan, and no write', async () => {
    const run = await teardown(s, ['--dry-run'], { yes: false });
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.doc.dryRun).toBe(true);
    expect(run.doc.steps.map((st) => st.id)).toEqual(TEARDOWN_IDS);
    expect(run.writes).toEqual([]);
    expect(run.status['iam.user']).toBe('planned');
  });

  it('removes ours and keeps theirs: CORS rule, statement, lifecycle rule, vars and archives', async () => {
    const releases = s.services.control.app(s.app)!.releases;
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.doc.ok).toBe(true);
    expect(run.doc.steps.map((st) => st.id)).toEqual(TEARDOWN_IDS);
    expect(run.status).toEqual({
      'heroku.config-vars': 'deleted',
      'opentok.storage': 'deleted',
      'iam.access-key': 'deleted',
      'iam.policy': 'deleted',
      'iam.user': 'deleted',
      's3.policy': 'updated',
      's3.public-access-block': 'updated',
      's3.cors': 'deleted',
      's3.lifecycle': 'deleted',
      's3.folder': 'deleted',
      's3.archives': 'skipped',
      's3.bucket': 'skipped',
    });
    const c = s.services.control;
    const bucket = c.bucket(s.bucket)!;
    expect(bucket.cors).toEqual([expect.objectContaining({ ID: 'owner-site' })]);
    expect(bucket.policy!.Statement.map((st) => st.Sid)).toEqual(['OwnerOnlyTls']);
    expect(bucket.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(bucket.lifecycle!.map((r) => r.ID)).toEqual(['owner-logs']);
    expect(bucket.objects.has(`${s.apiKey}/`)).toBe(false);
    expect(bucket.objects.has(archiveKey())).toBe(true);
    expect(c.user(s.user)).toBeUndefined();
    expect(c.opentokStorage(s.apiKey)).toBeUndefined();
    const app = c.app(s.app)!;
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL']) expect(app.configVars).not.toHaveProperty(name);
    expect(app.configVars).toMatchObject({ OWNER_SETTING: 'kept', SECRET_KEY: 'app-secret' });
    expect(app.releases).toBe(releases + 1);
    expect(run.writes.filter((w) => w.startsWith('heroku'))).toHaveLength(1);
  });

  it('a second teardown changes nothing', async () => {
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.writes).toEqual([]);
    expect(Object.values(run.status).every((st) => st === 'unchanged' || st === 'skipped')).toBe(true);
  });
});
