import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const policy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Archive', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::bucket/1234/*' }],
  },
  null,
  2,
);

describe('users and tags', () => {
  it('creates a user with a path and tags, and reads it back', async () => {
    const iam = f.iam();
    const out = await iam.send(new CreateUserCommand({ UserName: 'ib-archive-bucket', Path: '/ib/', Tags: [{ Key: 'created-by', Value: 'ib-archive' }] }));
    expect(out.User?.Arn).toBe(`arn:aws:iam::${f.aws.accountId}:user/ib/ib-archive-bucket`);
    expect(out.User?.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(out.User?.CreateDate).toBeInstanceOf(Date);
    expect(out.User?.Tags).toEqual([{ Key: 'created-by', Value: 'ib-archive' }]);
    const got = await iam.send(new GetUserCommand({ UserName: 'ib-archive-bucket' }));
    expect(got.User?.Path).toBe('/ib/');
    expect(f.aws.control.user('ib-archive-bucket')?.tags).toEqual({ 'created-by': 'ib-archive' });
    expect(f.recorder.requests.at(0)).toMatchObject({ service: 'iam', operation: 'CreateUser', write: true, accessKeyId: f.aws.rootKey.accessKeyId });
    expect(f.recorder.requests.at(1)).toMatchObject({ operation: 'GetUser', write: false });
  });

  it('answers EntityAlreadyExists (names are case-insensitive) and NoSuchEntity', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'Alice' }));
    const dup = await sdkError(iam.send(new CreateUserCommand({ UserName: 'alice' })));
    expect(dup.name).toBe('EntityAlreadyExistsException');
    expect(dup.$metadata.httpStatusCode).toBe(409);
    const missing = await sdkError(iam.send(new GetUserCommand({ UserName: 'bob' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe('The user with name bob cannot be found.');
  });

  it('GetUser without a name answers the caller: the root user, or the IAM user', async () => {
    const root = await f.iam().send(new GetUserCommand({}));
    expect(root.User?.Arn).toBe(`arn:aws:iam::${f.aws.accountId}:root`);
    expect(root.User?.UserId).toBe(f.aws.accountId);
    f.aws.control.createUser('self');
    const key = f.aws.control.createAccessKey('self');
    await f.iam().send(new AttachUserPolicyCommand({ UserName: 'self', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const self = await f.iam(key).send(new GetUserCommand({}));
    expect(self.User?.UserName).toBe('self');
  });

  it('lists users and tags, and merges new tags', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'b-user', Tags: [{ Key: 'k1', Value: 'v1' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'a-user' }));
    expect((await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toEqual(['a-user', 'b-user']);
    await iam.send(new TagUserCommand({ UserName: 'b-user', Tags: [{ Key: 'k1', Value: 'v2' }, { Key: 'k2', Value: '' }] }));
    const tags = await iam.send(new ListUserTagsCommand({ UserName: 'b-user' }));
    expect(tags.Tags).toEqual([{ Key: 'k1', Value: 'v2' }, { Key: 'k2', Value: '' }]);
    expect(tags.IsTruncated).toBe(false);
  });

  it('refuses to delete a user that still has keys or policies', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'busy' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'busy' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'busy', PolicyName: 'p', PolicyDocument: policy }));
    const withKey = await sdkError(iam.send(new DeleteUserCommand({ UserName: 'busy' })));
    expect(withKey.name).toBe('DeleteConflictException');
    expect(withKey.$metadata.httpStatusCode).toBe(409);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'busy', AccessKeyId: key.AccessKey?.AccessKeyId }));
    expect((await sdkError(iam.send(new DeleteUserCommand({ UserName: 'busy' })))).name).toBe('DeleteConflictException');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'busy', PolicyName: 'p' }));
    await iam.send(new DeleteUserCommand({ UserName: 'busy' }));
    expect(f.aws.control.user('busy')).toBeUndefined();
  });
});

describe('inline and managed policies', () => {
  it('stores an inline policy and returns it URL-encoded, as AWS does', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'u' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'archive', PolicyDocument: policy }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'u', PolicyName: 'archive' }));
    expect(got.PolicyDocument).toBe(encodeURIComponent(policy));
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(policy);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'u' }))).PolicyNames).toEqual(['archive']);
    expect(f.aws.control.user('u')?.policies.get('archive')?.Statement[0]?.Sid).toBe('Archive');
    const missing = await sdkError(iam.send(new GetUserPolicyCommand({ UserName: 'u', PolicyName: 'nope' })));
    expect(missing.name).toBe('NoSuchEntityException');
  });

  it.each<[string, string, string]>([
    ['invalid JSON', '{"Statement": [', 'Syntax errors in policy.'],
    ['a Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }), 'Policy document should not specify a principal.'],
    ['no Resource', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*' }] }), 'Policy statement must contain resources.'],
  ])('answers MalformedPolicyDocument for %s', async (_, doc, message) => {
    await f.iam().send(new CreateUserCommand({ UserName: 'u' }));
    const err = await sdkError(f.iam().send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'p', PolicyDocument: doc })));
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(message);
  });

  it('enforces the 2048-byte quota on a user\'s inline policies', async () => {
    await f.iam().send(new CreateUserCommand({ UserName: 'u' }));
    const resources = Array.from({ length: 80 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`);
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] });
    const err = await sdkError(f.iam().send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'big', PolicyDocument: big })));
    expect(err.name).toBe('LimitExceededException');
    expect(err.message).toBe('Maximum policy size of 2048 bytes exceeded for user u');
  });

  it('an IAM user may call IAM only with permission; AdministratorAccess grants it', async () => {
    f.aws.control.createUser('limited');
    const key = f.aws.control.createAccessKey('limited');
    const denied = await sdkError(f.iam(key).send(new CreateUserCommand({ UserName: 'other' })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toContain(`User: arn:aws:iam::${f.aws.accountId}:user/limited is not authorized to perform: iam:CreateUser`);
    await f.iam().send(new AttachUserPolicyCommand({ UserName: 'limited', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const attached = await f.iam().send(new ListAttachedUserPoliciesCommand({ UserName: 'limited' }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]);
    await f.iam(key).send(new CreateUserCommand({ UserName: 'other' }));
    await f.iam().send(new DetachUserPolicyCommand({ UserName: 'limited', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect((await sdkError(f.iam(key).send(new CreateUserCommand({ UserName: 'third' })))).name).toBe('AccessDenied');
    const unknown = await sdkError(f.iam().send(new AttachUserPolicyCommand({ UserName: 'limited', PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })));
    expect(unknown.name).toBe('NoSuchEntityException');
  });
});

describe('access keys', () => {
  it('creates keys in AWS shapes, lists them, and stops at two per user', async () => {
    const iam = f.iam();
    await iam.send(new CreateUserCommand({ UserName: 'k' }));
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: 'k' }));
    expect(first.AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(first.AccessKey?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(first.AccessKey?.Status).toBe('Active');
    await iam.send(new CreateAccessKeyCommand({ UserName: 'k' }));
    const third = await sdkError(iam.send(new CreateAccessKeyCommand({ UserName: 'k' })));
    expect(third.name).toBe('LimitExceededException');
    expect(third.$metadata.httpStatusCode).toBe(409);
    expect(third.message).toBe('Cannot exceed quota for AccessKeysPerUser: 2');
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'k' }));
    expect(listed.AccessKeyMetadata?.map((m) => m.AccessKeyId)).toEqual(f.aws.control.user('k')?.keys.map((key) => key.accessKeyId));
    expect(listed.AccessKeyMetadata?.[0]).toMatchObject({ UserName: 'k', Status: 'Active' });
  });

  it('deactivated keys are refused; GetAccessKeyLastUsed reports the last use', async () => {
    f.aws.control.createUser('worker');
    const key = f.aws.control.createAccessKey('worker');
    const iam = f.iam();
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
    expect(before.UserName).toBe('worker');
    expect(before.AccessKeyLastUsed).toMatchObject({ ServiceName: 'N/A', Region: 'N/A' });
    await f.sts(key).send(new GetCallerIdentityCommand({}));
    const after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
    expect(after.AccessKeyLastUsed).toMatchObject({ ServiceName: 'sts', Region: 'us-east-1' });
    expect(after.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'worker', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    const refused = await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})));
    expect(refused.name).toBe('InvalidClientTokenId');
  });
});
