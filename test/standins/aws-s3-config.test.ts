import {
  DeleteBucketCorsCommand,
  DeleteBucketPolicyCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicReadPolicy, sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
  f.aws.control.createBucket('cfg', 'us-east-1');
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const relaxPolicyBlocks = () =>
  f.s3().send(
    new PutPublicAccessBlockCommand({
      Bucket: 'cfg',
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    }),
  );

describe('bucket CORS', () => {
  const rules: CORSRule[] = [
    { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 },
    { ID: 'app', AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['PUT'] },
  ];

  it('answers NoSuchCORSConfiguration before a put and after a delete, and round-trips the rules', async () => {
    const s3 = f.s3();
    expect((await sdkError(s3.send(new GetBucketCorsCommand({ Bucket: 'cfg' })))).name).toBe('NoSuchCORSConfiguration');
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cfg', CORSConfiguration: { CORSRules: rules } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'cfg' }));
    expect(got.CORSRules).toEqual(rules);
    expect(f.aws.control.bucket('cfg')?.cors).toEqual(rules);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'cfg' }));
    const err = await sdkError(s3.send(new GetBucketCorsCommand({ Bucket: 'cfg' })));
    expect(err.name).toBe('NoSuchCORSConfiguration');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it.each<[string, CORSRule[], string, string]>([
    ['two wildcards in an origin', [{ AllowedOrigins: ['https://*.*.com'], AllowedMethods: ['GET'] }], 'InvalidRequest', 'AllowedOrigin "https://*.*.com" can not have more than one wildcard.'],
    ['an unsupported method', [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }], 'InvalidRequest', 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH'],
    ['more than 100 rules', Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })), 'MalformedXML', ''],
    ['a rule without origins', [{ AllowedOrigins: [], AllowedMethods: ['GET'] }], 'MalformedXML', ''],
  ])('rejects %s', async (_, CORSRules, code, message) => {
    const err = await sdkError(f.s3().send(new PutBucketCorsCommand({ Bucket: 'cfg', CORSConfiguration: { CORSRules } })));
    expect(err.name).toBe(code);
    expect(err.$metadata.httpStatusCode).toBe(400);
    if (message) expect(err.message).toBe(message);
    expect(f.aws.control.bucket('cfg')?.cors).toBeUndefined();
  });

  it('requires Content-MD5 or a checksum, and accepts either', async () => {
    const xml = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>';
    const bare = await f.signed('s3', { method: 'PUT', path: '/cfg', query: { cors: '' }, body: xml });
    expect(bare.status).toBe(400);
    expect(bare.body).toContain('<Code>InvalidRequest</Code>');
    const md5 = (await import('node:crypto')).createHash('md5').update(xml).digest('base64');
    const withMd5 = await f.signed('s3', { method: 'PUT', path: '/cfg', query: { cors: '' }, body: xml, headers: { 'content-md5': md5 } });
    expect(withMd5.status).toBe(200);
    const badMd5 = await f.signed('s3', { method: 'PUT', path: '/cfg', query: { cors: '' }, body: xml, headers: { 'content-md5': md5.replace(/^./, md5[0] === 'A' ? 'B' : 'A') } });
    expect(badMd5.body).toContain('<Code>BadDigest</Code>');
  });
});

describe('bucket policy', () => {
  it('answers NoSuchBucketPolicy when there is none', async () => {
    const err = await sdkError(f.s3().send(new GetBucketPolicyCommand({ Bucket: 'cfg' })));
    expect(err.name).toBe('NoSuchBucketPolicy');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect((await sdkError(f.s3().send(new GetBucketPolicyStatusCommand({ Bucket: 'cfg' })))).name).toBe('NoSuchBucketPolicy');
  });

  it('refuses a public policy while the bucket blocks public policies', async () => {
    const err = await sdkError(f.s3().send(new PutBucketPolicyCommand({ Bucket: 'cfg', Policy: publicReadPolicy('cfg', '1234/') })));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toContain('because public policies are blocked by the BlockPublicPolicy block public access setting');
    expect(err.message).toContain(`arn:aws:iam::${f.aws.accountId}:root`);
    expect(f.aws.control.bucket('cfg')?.policy).toBeUndefined();
  });

  it('refuses a public policy while the account blocks public policies', async () => {
    await relaxPolicyBlocks();
    f.aws.control.setAccountPublicAccessBlock({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false });
    const err = await sdkError(f.s3().send(new PutBucketPolicyCommand({ Bucket: 'cfg', Policy: publicReadPolicy('cfg', '1234/') })));
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain('BlockPublicPolicy');
  });

  it('stores a public policy once the blocks are relaxed, answers it verbatim, reports it public, and deletes it', async () => {
    await relaxPolicyBlocks();
    const s3 = f.s3();
    const policy = publicReadPolicy('cfg', '1234/');
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'cfg', Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'cfg' }))).Policy).toBe(policy);
    expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'cfg' }))).PolicyStatus?.IsPublic).toBe(true);
    expect(f.aws.control.bucket('cfg')?.policy?.Statement[0]?.Resource).toBe('arn:aws:s3:::cfg/1234/*');
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'cfg' }));
    expect(f.aws.control.bucket('cfg')?.policy).toBeUndefined();
  });

  it('accepts a non-public policy even with every block on', async () => {
    const user = f.aws.control.createUser('reader');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::cfg/*' }],
    });
    await f.s3().send(new PutBucketPolicyCommand({ Bucket: 'cfg', Policy: policy }));
    expect((await f.s3().send(new GetBucketPolicyStatusCommand({ Bucket: 'cfg' }))).PolicyStatus?.IsPublic).toBe(false);
  });

  it.each<[string, string, string]>([
    ['invalid JSON', '{"Version": "2012-10-17", "Statement": [', 'This policy contains invalid Json'],
    ['no Statement', '{"Version":"2012-10-17"}', 'Missing required field Statement'],
    ['no Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cfg/*' }] }), 'Missing required field Principal'],
    ['another bucket', publicReadPolicy('other-bucket', ''), 'Policy has invalid resource'],
    ['a non-S3 action', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'iam:GetUser', Resource: 'arn:aws:s3:::cfg/*' }] }), 'Policy has invalid action'],
    ['an object action on the bucket ARN', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cfg' }] }), 'Action does not apply to any resource(s) in statement'],
    ['an unknown user principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/nobody' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::cfg/*' }] }), ''],
  ])('answers MalformedPolicy for %s', async (_, Policy, message) => {
    const policy = Policy.replace('123456789012', f.aws.accountId);
    const err = await sdkError(f.s3().send(new PutBucketPolicyCommand({ Bucket: 'cfg', Policy: policy })));
    expect(err.name).toBe('MalformedPolicy');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(message || 'Invalid principal in policy');
  });
});
