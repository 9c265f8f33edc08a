import {
  DeleteBucketLifecycleCommand,
  DeleteBucketTaggingCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { sdkError, useAws } from './aws-fixture.js';

const f = useAws((aws) => aws.aws.control.createBucket('days', 'eu-west-1'));

const expire = (ID: string, Prefix: string, Days: number): LifecycleRule => ({ ID, Status: 'Enabled', Filter: { Prefix }, Expiration: { Days } });
const s3 = () => f.s3('eu-west-1');

describe('bucket lifecycle', () => {
  it('answers NoSuchLifecycleConfiguration before a put and after a delete', async () => {
    const before = await sdkError(s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'days' })));
    expect(before.name).toBe('NoSuchLifecycleConfiguration');
    expect(before.$metadata.httpStatusCode).toBe(404);
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: [expire('a', '1/', 3)] } }));
    await s3().send(new DeleteBucketLifecycleCommand({ Bucket: 'days' }));
    expect(f.aws.control.bucket('days')?.lifecycle).toBeUndefined();
    expect((await sdkError(s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'days' })))).name).toBe('NoSuchLifecycleConfiguration');
  });

  it('round-trips the rules, and a put replaces the whole configuration', async () => {
    const abort: LifecycleRule = { ID: 'uploads', Status: 'Disabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } };
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: [expire('probe', 'p/', 1), abort] } }));
    const got = await s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'days' }));
    expect(got.Rules).toEqual([expire('probe', 'p/', 1), { ...abort, Filter: {} }]);
    expect(f.aws.control.bucket('days')?.lifecycle).toEqual([
      { ID: 'probe', Status: 'Enabled', Prefix: 'p/', ExpirationDays: 1 },
      { ID: 'uploads', Status: 'Disabled', Prefix: '', ExpirationDays: undefined },
    ]);
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: [expire('other', 'o/', 9)] } }));
    expect((await s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'days' }))).Rules?.map((r) => r.ID)).toEqual(['other']);
  });

  it('fills in a missing rule ID and accepts the legacy top-level Prefix', async () => {
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: [{ Status: 'Enabled', Prefix: 'old/', Expiration: { Days: 5 } }] } }));
    const [rule] = (await s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'days' }))).Rules ?? [];
    expect(rule?.ID).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(rule?.Prefix).toBe('old/');
    expect(f.aws.control.bucket('days')?.lifecycle?.[0]).toMatchObject({ ID: rule?.ID, Prefix: 'old/', ExpirationDays: 5 });
  });

  it.each<[string, LifecycleRule[], string, string]>([
    ['a duplicate ID', [expire('same', 'a/', 1), expire('same', 'b/', 2)], 'InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule'],
    ['an ID over 255 characters', [expire('x'.repeat(256), 'a/', 1)], 'InvalidArgument', 'ID length should not exceed allowed limit of 255'],
    ['Expiration Days 0', [expire('zero', 'a/', 0)], 'InvalidArgument', "'Days' for Expiration action must be a positive integer"],
    ['a bad Status', [{ ...expire('s', 'a/', 1), Status: 'On' as never }], 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema'],
    ['neither Filter nor Prefix', [{ ID: 'n', Status: 'Enabled', Expiration: { Days: 1 } }], 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema'],
    ['no action', [{ ID: 'n', Status: 'Enabled', Filter: { Prefix: 'a/' } }], 'InvalidRequest', 'At least one action needs to be specified in a rule'],
  ])('refuses %s', async (_, Rules, code, message) => {
    const err = await sdkError(s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules } })));
    expect(err.name).toBe(code);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(message);
    expect(f.aws.control.bucket('days')?.lifecycle).toBeUndefined();
  });

  it('takes 1,000 rules and refuses 1,001 with MalformedXML', async () => {
    const rules = Array.from({ length: 1001 }, (_, i) => expire(`r${i}`, `${i}/`, 1));
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: rules.slice(0, 1000) } }));
    expect(f.aws.control.bucket('days')?.lifecycle).toHaveLength(1000);
    const err = await sdkError(s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: rules } })));
    expect(err.name).toBe('MalformedXML');
    expect(f.aws.control.bucket('days')?.lifecycle).toHaveLength(1000);
  });

  it('requires Content-MD5 or an x-amz-checksum-* header, as S3 does (the SDK sends a CRC32)', async () => {
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'days', LifecycleConfiguration: { Rules: [expire('a', 'a/', 1)] } }));
    expect(f.recorder.requests.at(-1)?.headers['x-amz-checksum-crc32']).toBeDefined();
    const body = '<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>';
    const bare = await f.signed('s3', { method: 'PUT', path: '/days', query: { lifecycle: '' }, region: 'eu-west-1', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body });
    expect(bare.status).toBe(400);
    expect(bare.body).toContain('<Code>InvalidRequest</Code>');
    const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('base64');
    const withMd5 = await f.signed('s3', { method: 'PUT', path: '/days', query: { lifecycle: '' }, region: 'eu-west-1', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-md5': md5 }, body });
    expect(withMd5.status).toBe(200);
  });
});

describe('bucket tagging', () => {
  it('answers NoSuchTagSet without tags, replaces every tag on put, and deletes them', async () => {
    const none = await sdkError(s3().send(new GetBucketTaggingCommand({ Bucket: 'days' })));
    expect(none.name).toBe('NoSuchTagSet');
    expect(none.$metadata.httpStatusCode).toBe(404);
    await s3().send(new PutBucketTaggingCommand({ Bucket: 'days', Tagging: { TagSet: [{ Key: 'ib-archive:managed', Value: 'true' }, { Key: 'team', Value: 'video' }] } }));
    expect((await s3().send(new GetBucketTaggingCommand({ Bucket: 'days' }))).TagSet).toEqual([
      { Key: 'ib-archive:managed', Value: 'true' },
      { Key: 'team', Value: 'video' },
    ]);
    await s3().send(new PutBucketTaggingCommand({ Bucket: 'days', Tagging: { TagSet: [{ Key: 'team', Value: 'ops' }] } }));
    expect(f.aws.control.bucket('days')?.tags).toEqual({ team: 'ops' });
    await s3().send(new DeleteBucketTaggingCommand({ Bucket: 'days' }));
    expect(f.aws.control.bucket('days')?.tags).toBeUndefined();
    expect((await sdkError(s3().send(new GetBucketTaggingCommand({ Bucket: 'days' })))).name).toBe('NoSuchTagSet');
  });

  it.each<[string, { Key: string; Value: string }[], string, string]>([
    ['duplicate keys', [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }], 'InvalidTag', 'Cannot provide multiple Tags with the same key'],
    ['an empty key', [{ Key: '', Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
    ['a key over 128 characters', [{ Key: 'k'.repeat(129), Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
    ['a value over 256 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'InvalidTag', 'The TagValue you have provided is invalid'],
    ['a value with a bad character', [{ Key: 'k', Value: 'a&b' }], 'InvalidTag', 'The TagValue you have provided is invalid'],
    ['an aws: key', [{ Key: 'aws:cloudformation', Value: 'x' }], 'InvalidTag', 'System tags cannot be added/updated by requester'],
    ['51 tags', Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })), 'BadRequest', 'Bucket tag count cannot be greater than 50'],
  ])('refuses %s and keeps the old tags', async (_, TagSet, code, message) => {
    await s3().send(new PutBucketTaggingCommand({ Bucket: 'days', Tagging: { TagSet: [{ Key: 'keep', Value: 'me' }] } }));
    const err = await sdkError(s3().send(new PutBucketTaggingCommand({ Bucket: 'days', Tagging: { TagSet } })));
    expect(err.name).toBe(code);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(message);
    expect(f.aws.control.bucket('days')?.tags).toEqual({ keep: 'me' });
  });

  it('takes 50 tags', async () => {
    const TagSet = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await s3().send(new PutBucketTaggingCommand({ Bucket: 'days', Tagging: { TagSet } }));
    expect(Object.keys(f.aws.control.bucket('days')?.tags ?? {})).toHaveLength(50);
  });
});
