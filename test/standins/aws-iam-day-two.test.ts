import {
  AttachUserPolicyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { sdkError, useAws } from './aws-fixture.js';

const f = useAws();

const archivePolicy = (bucket: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${bucket}/*` }, { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }] });

async function appUser(name = 'app'): Promise<void> {
  await f.iam().send(new CreateUserCommand({ UserName: name }));
  await f.iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'ib-archive-s3', PolicyDocument: archivePolicy('bkt') }));
}

describe('access keys on day two', () => {
  it('UpdateAccessKey Inactive disables a key everywhere; Active restores it', async () => {
    await appUser();
    f.aws.control.createBucket('bkt', 'us-east-1');
    const key = f.aws.control.createAccessKey('app');
    await f.iam().send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    expect(f.aws.control.user('app')?.keys[0]?.status).toBe('Inactive');
    expect((await f.iam().send(new ListAccessKeysCommand({ UserName: 'app' }))).AccessKeyMetadata?.[0]?.Status).toBe('Inactive');
    expect((await sdkError(f.s3('us-east-1', key).send(new ListObjectsV2Command({ Bucket: 'bkt' })))).name).toBe('InvalidAccessKeyId');
    expect((await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    await f.iam().send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId, Status: 'Active' }));
    await f.s3('us-east-1', key).send(new ListObjectsV2Command({ Bucket: 'bkt' }));
  });

  it('UpdateAccessKey refuses an unknown status or key', async () => {
    await appUser();
    const key = f.aws.control.createAccessKey('app');
    const bad = await sdkError(f.iam().send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId, Status: 'Off' as never })));
    expect(bad.name).toBe('ValidationError');
    expect(bad.$metadata.httpStatusCode).toBe(400);
    const missing = await sdkError(f.iam().send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: 'AKIANOTAREALKEY00000', Status: 'Inactive' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.message).toBe('The Access Key with id AKIANOTAREALKEY00000 cannot be found.');
  });

  it('DeleteAccessKey is final: the key is refused and a second delete is NoSuchEntity', async () => {
    await appUser();
    const key = f.aws.control.createAccessKey('app');
    await f.iam().send(new DeleteAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId }));
    expect(f.aws.control.user('app')?.keys).toEqual([]);
    expect((await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const again = await sdkError(f.iam().send(new DeleteAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId })));
    expect(again.name).toBe('NoSuchEntityException');
    expect(again.$metadata.httpStatusCode).toBe(404);
  });

  it('GetAccessKeyLastUsed has no LastUsedDate for a key never used, then names the service and region of the last use', async () => {
    await appUser();
    f.aws.control.createBucket('bkt', 'eu-west-1');
    const key = f.aws.control.createAccessKey('app');
    const never = await f.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
    expect(never.AccessKeyLastUsed?.LastUsedDate).toBeUndefined();
    expect(never.AccessKeyLastUsed).toMatchObject({ ServiceName: 'N/A', Region: 'N/A' });
    await f.s3('eu-west-1', key).send(new ListObjectsV2Command({ Bucket: 'bkt' }));
    const used = await f.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
    expect(used.AccessKeyLastUsed).toMatchObject({ ServiceName: 's3', Region: 'eu-west-1' });
    expect(used.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    expect(f.aws.control.user('app')?.keys[0]?.lastUsed?.service).toBe('s3');
    // A refused request still counts as a use: the key signed it.
    await sdkError(f.iam(key).send(new ListAccessKeysCommand({ UserName: 'app' })));
    expect(f.aws.control.user('app')?.keys[0]?.lastUsed?.service).toBe('iam');
  });
});

describe('user tags', () => {
  it('TagUser merges (keys are case-insensitive), UntagUser removes, ListUserTags pages', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'u', Tags: [{ Key: 'Team', Value: 'video' }, { Key: 'ib-archive:managed', Value: 'true' }] }));
    await iam.send(new TagUserCommand({ UserName: 'u', Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'ib-archive:bucket', Value: 'bkt' }] }));
    expect(f.aws.control.user('u')?.tags).toEqual({ 'ib-archive:managed': 'true', team: 'ops', 'ib-archive:bucket': 'bkt' });
    const first = await iam.send(new ListUserTagsCommand({ UserName: 'u', MaxItems: 2 }));
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListUserTagsCommand({ UserName: 'u', Marker: first.Marker }));
    expect([...(first.Tags ?? []), ...(rest.Tags ?? [])].map((t) => t.Key)).toEqual(['ib-archive:managed', 'team', 'ib-archive:bucket']);
    expect(rest.IsTruncated).toBe(false);
    await iam.send(new UntagUserCommand({ UserName: 'u', TagKeys: ['TEAM', 'ib-archive:bucket', 'not-there'] }));
    expect(f.aws.control.user('u')?.tags).toEqual({ 'ib-archive:managed': 'true' });
  });

  it.each<[string, { Key: string; Value: string }[], string, number]>([
    ['duplicate keys', [{ Key: 'k', Value: '1' }, { Key: 'K', Value: '2' }], 'InvalidInputException', 400],
    ['a key over 128 characters', [{ Key: 'k'.repeat(129), Value: 'v' }], 'ValidationError', 400],
    ['a value over 256 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'ValidationError', 400],
    ['a key with a bad character', [{ Key: 'a#b', Value: 'v' }], 'ValidationError', 400],
    ['an aws: key', [{ Key: 'aws:owner', Value: 'v' }], 'InvalidInputException', 400],
    ['more than 50 tags on the user', Array.from({ length: 50 }, (_, i) => ({ Key: `n${i}`, Value: '' })), 'LimitExceededException', 409],
    ['more than 50 tags in one request', Array.from({ length: 51 }, (_, i) => ({ Key: `n${i}`, Value: '' })), 'ValidationError', 400],
  ])('TagUser refuses %s and changes nothing', async (_, Tags, name, status) => {
    await f.iam().send(new CreateUserCommand({ UserName: 'u', Tags: [{ Key: 'keep', Value: 'me' }] }));
    const err = await sdkError(f.iam().send(new TagUserCommand({ UserName: 'u', Tags })));
    expect(err.name).toBe(name);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(f.aws.control.user('u')?.tags).toEqual({ keep: 'me' });
  });
});

describe('DeleteUser and DeleteUserPolicy', () => {
  it('DeleteUser answers 409 DeleteConflict while a managed policy is attached; tags do not block it', async () => {
    await f.iam().send(new CreateUserCommand({ UserName: 'u', Tags: [{ Key: 'ib-archive:managed', Value: 'true' }] }));
    await f.iam().send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    const err = await sdkError(f.iam().send(new DeleteUserCommand({ UserName: 'u' })));
    expect(err.name).toBe('DeleteConflictException');
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect(err.message).toBe('Cannot delete entity, must detach all policies first.');
    await f.iam().send(new DetachUserPolicyCommand({ UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    await f.iam().send(new DeleteUserCommand({ UserName: 'u' }));
    expect(f.aws.control.user('u')).toBeUndefined();
  });

  it('DeleteUserPolicy removes the inline policy, and answers NoSuchEntity for one that is not there', async () => {
    await appUser();
    await f.iam().send(new DeleteUserPolicyCommand({ UserName: 'app', PolicyName: 'ib-archive-s3' }));
    expect(f.aws.control.user('app')?.policies.size).toBe(0);
    const err = await sdkError(f.iam().send(new DeleteUserPolicyCommand({ UserName: 'app', PolicyName: 'ib-archive-s3' })));
    expect(err.name).toBe('NoSuchEntityException');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });
});
