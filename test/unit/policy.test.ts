import { describe, expect, it } from 'vitest';
import { corsRuleCovers, iamUserPolicy, mergeCorsRules, mergePublicRead, parsePolicy, policyAllowsPublic, samePolicy } from '../../src/policy.js';

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
  it('is scoped to the bucket and its objects', () => {
    const p = iamUserPolicy('b-1', 'us-east-1');
    const resources = p.Statement.flatMap((s) => [s.Resource].flat());
    expect(resources.sort()).toEqual(['arn:aws:s3:::b-1', 'arn:aws:s3:::b-1/*']);
    expect(p.Statement.flatMap((s) => [s.Action].flat())).not.toContain('s3:DeleteObject');
  });
  it('compares with a URL-encoded copy as IAM returns it', () => {
    const p = iamUserPolicy('b-1', 'us-east-1');
    const reordered = { Statement: [...p.Statement].reverse(), Version: p.Version };
    expect(samePolicy(parsePolicy(encodeURIComponent(JSON.stringify(reordered))), p)).toBe(true);
    expect(samePolicy(iamUserPolicy('b-2', 'us-east-1'), p)).toBe(false);
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
