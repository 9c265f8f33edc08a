import { describe, expect, it } from 'vitest';
import {
  type PolicyDocument,
  corsRuleCovers,
  iamUserPolicy,
  imagesBucketOf,
  mergeCorsRules,
  mergePublicRead,
  parsePolicy,
  policiesAllow,
  policyAllowsPublic,
  samePolicy,
  vonageUploadGrants,
} from '../../src/policy.js';

describe('CORS merge', () => {
  const ib = { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST', 'PUT'], AllowedHeaders: ['*'] };
  it('keeps a configuration that already covers the IB rule', () => {
    expect(mergeCorsRules([ib], ['*'])).toBeUndefined();
    expect(mergeCorsRules([{ ...ib, AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'] }], ['https://a.example'])).toBeUndefined();
  });
  it('appends the IB rule and keeps existing rules', () => {
    const other = { ID: 'theirs', AllowedOrigins: ['https://x.example'], AllowedMethods: ['GET'] };
    const merged = mergeCorsRules([other], ['*']);
    expect(merged).toHaveLength(2);
    expect(merged?.[0]).toEqual(other);
    expect(merged?.[1]).toMatchObject({ ID: 'ib-archive', AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST', 'PUT'], AllowedHeaders: ['*'] });
  });
  it('replaces an outdated rule of its own', () => {
    const old = { ID: 'ib-archive', AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: ['*'] };
    expect(mergeCorsRules([old], ['*'])).toEqual([{ ID: 'ib-archive', AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST', 'PUT'], AllowedHeaders: ['*'] }]);
  });
  it('a rule without PUT or without * headers does not cover', () => {
    expect(corsRuleCovers({ ...ib, AllowedMethods: ['GET', 'POST'] }, ['*'])).toBe(false);
    expect(corsRuleCovers({ ...ib, AllowedHeaders: ['content-type'] }, ['*'])).toBe(false);
    expect(corsRuleCovers({ ...ib, AllowedOrigins: ['https://*.example.com'] }, ['https://app.example.com'])).toBe(true);
    expect(corsRuleCovers({ ...ib, AllowedOrigins: ['https://a.example'] }, ['*'])).toBe(false);
  });
});

describe('public-read statement', () => {
  it('is added for <apiKey>/* only, keeping other statements', () => {
    const existing = { Version: '2012-10-17', Statement: [{ Sid: 'Other', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 's3:*', Resource: 'arn:aws:s3:::b-1/*' }] };
    const merged = mergePublicRead(existing, 'b-1', 'eu-west-1', '46000000')!;
    expect(merged.Statement).toHaveLength(2);
    expect(merged.Statement[0]).toEqual(existing.Statement[0]);
    expect(policyAllowsPublic(merged, 's3:GetObject', 'arn:aws:s3:::b-1/46000000/x/archive.mp4')).toBe(true);
    expect(policyAllowsPublic(merged, 's3:GetObject', 'arn:aws:s3:::b-1/other/file')).toBe(false);
    expect(policyAllowsPublic(merged, 's3:ListBucket', 'arn:aws:s3:::b-1')).toBe(false);
  });
  it('is not added twice', () => {
    const once = mergePublicRead(undefined, 'b-1', 'us-east-1', '1')!;
    expect(mergePublicRead(once, 'b-1', 'us-east-1', '1')).toBeUndefined();
  });
  it('uses the partition of the region', () => {
    const p = mergePublicRead(undefined, 'b-1', 'cn-north-1', '1')!;
    expect(p.Statement[0]!.Resource).toBe('arn:aws-cn:s3:::b-1/1/*');
  });
  it('a Deny for everyone wins', () => {
    const p = mergePublicRead(undefined, 'b-1', 'us-east-1', '1')!;
    p.Statement.push({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b-1/*' });
    expect(policyAllowsPublic(p, 's3:GetObject', 'arn:aws:s3:::b-1/1/a')).toBe(false);
  });
});

describe('IAM policy', () => {
  const allows = (p: PolicyDocument, action: string, resource: string) => policiesAllow([p], action, resource);
  it('grants what Vonage documents: list all buckets, list the bucket, put its objects', () => {
    const p = iamUserPolicy('b-1', 'us-east-1');
    for (const g of vonageUploadGrants('b-1', 'us-east-1', '46000000')) expect(allows(p, g.action, g.sample), g.action).toBe(true);
    expect(allows(p, 's3:ListAllMyBuckets', 'arn:aws:s3:::*')).toBe(true);
  });
  it('grants what setup and doctor need in the bucket, and nothing else outside it', () => {
    const p = iamUserPolicy('b-1', 'us-east-1');
    for (const a of ['s3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']) expect(allows(p, a, 'arn:aws:s3:::b-1/46000000/x'), a).toBe(true);
    for (const a of ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads']) expect(allows(p, a, 'arn:aws:s3:::b-1'), a).toBe(true);
    const outside = p.Statement.filter((s) => [s.Resource].flat().some((r) => !r.startsWith('arn:aws:s3:::b-1')));
    expect(outside).toEqual([expect.objectContaining({ Action: 's3:ListAllMyBuckets', Resource: 'arn:aws:s3:::*' })]);
    for (const [a, r] of [['s3:PutObject', 'arn:aws:s3:::other/x'], ['s3:DeleteObject', 'arn:aws:s3:::b-1/x'], ['s3:PutBucketPolicy', 'arn:aws:s3:::b-1'], ['iam:CreateUser', '*']]) {
      expect(allows(p, a!, r!), `${a} ${r}`).toBe(false);
    }
  });
  it('names the partition of the region in every ARN', () => {
    const p = iamUserPolicy('b-1', 'cn-northwest-1');
    expect(p.Statement.flatMap((s) => [s.Resource].flat()).every((r) => r.startsWith('arn:aws-cn:s3:::'))).toBe(true);
  });
  it("also lets a classic app's key upload event images under img/ of its images bucket", () => {
    const p = iamUserPolicy('b-1', 'us-east-1', { imagesBucket: 'ib-images' });
    for (const a of ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject']) expect(allows(p, a, 'arn:aws:s3:::ib-images/img/photo.png'), a).toBe(true);
    expect(allows(p, 's3:PutObject', 'arn:aws:s3:::ib-images/other/photo.png')).toBe(false);
    expect(allows(p, 's3:PutObjectAcl', 'arn:aws:s3:::b-1/46000000/x')).toBe(false);
    expect(allows(iamUserPolicy('b-1', 'us-east-1'), 's3:PutObject', 'arn:aws:s3:::ib-images/img/photo.png')).toBe(false);
  });
  it('reads the images bucket from the app vars only when it is a valid bucket name', () => {
    expect(imagesBucketOf({ S3_BUCKET_NAME_IMAGES: ' ib-images ' })).toBe('ib-images');
    expect(imagesBucketOf({ S3_BUCKET_NAME_IMAGES: 'Not A Bucket' })).toBeUndefined();
    expect(imagesBucketOf({})).toBeUndefined();
    expect(imagesBucketOf(undefined)).toBeUndefined();
  });
  it('compares with a URL-encoded copy as IAM returns it', () => {
    const p = iamUserPolicy('b-1', 'us-east-1');
    const reordered = { Statement: [...p.Statement].reverse(), Version: p.Version };
    expect(samePolicy(parsePolicy(encodeURIComponent(JSON.stringify(reordered))), p)).toBe(true);
    expect(samePolicy(iamUserPolicy('b-2', 'us-east-1'), p)).toBe(false);
    expect(samePolicy(iamUserPolicy('b-1', 'us-east-1', { imagesBucket: 'i' }), p)).toBe(false);
  });
});

describe('policiesAllow', () => {
  const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Statement });
  it('matches action globs case-insensitively and resource globs exactly', () => {
    expect(policiesAllow([doc({ Effect: 'Allow', Action: 'S3:Put*', Resource: 'arn:aws:s3:::b/*' })], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe(true);
    expect(policiesAllow([doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::B/*' })], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe(false);
  });
  it('lets an unconditional Deny win, and understands NotAction and NotResource', () => {
    const allow = { Effect: 'Allow' as const, Action: 's3:*', Resource: '*' };
    expect(policiesAllow([doc(allow, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*' })], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe(false);
    expect(policiesAllow([doc(allow, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe(true);
    expect(policiesAllow([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } as never)], 's3:ListBucket', 'arn:aws:s3:::b')).toBe(true);
    expect(policiesAllow([doc({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::b/*' } as never)], 's3:PutObject', 'arn:aws:s3:::b/k')).toBe(false);
    expect(policiesAllow([], 's3:ListBucket', 'arn:aws:s3:::b')).toBe(false);
  });
});

describe('public-read convergence', () => {
  it('a conditional Deny (HTTPS only) does not make the statement look missing', () => {
    const httpsOnly = { Sid: 'HttpsOnly', Effect: 'Deny' as const, Principal: '*' as const, Action: 's3:*', Resource: ['arn:aws:s3:::b-1', 'arn:aws:s3:::b-1/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const once = mergePublicRead({ Version: '2012-10-17', Statement: [httpsOnly] }, 'b-1', 'us-east-1', '1')!;
    expect(once.Statement).toHaveLength(2);
    expect(mergePublicRead(once, 'b-1', 'us-east-1', '1')).toBeUndefined();
  });
  it('an owner Deny on the folder is left alone once our statement is there', () => {
    const ours = mergePublicRead(undefined, 'b-1', 'us-east-1', '1')!;
    ours.Statement.push({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b-1/1/*' });
    expect(mergePublicRead(ours, 'b-1', 'us-east-1', '1')).toBeUndefined();
  });
});
