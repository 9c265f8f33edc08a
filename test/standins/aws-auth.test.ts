import { GetBucketVersioningCommand, HeadBucketCommand, ListBucketsCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const bogus = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('STS GetCallerIdentity', () => {
  it('names the root user and an IAM user', async () => {
    f = await startAws();
    expect(f.aws.accountId).toMatch(/^[1-9]\d{11}$/);
    expect(f.aws.rootKey.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    const root = await f.sts().send(new GetCallerIdentityCommand({}));
    expect(root).toMatchObject({ Account: f.aws.accountId, Arn: `arn:aws:iam::${f.aws.accountId}:root`, UserId: f.aws.accountId });
    const user = f.aws.control.createUser('caller');
    const me = await f.sts(f.aws.control.createAccessKey('caller')).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: f.aws.accountId, Arn: user.arn, UserId: user.userId });
    expect(f.recorder.requests.map((r) => [r.service, r.operation, r.write])).toEqual([
      ['sts', 'GetCallerIdentity', false],
      ['sts', 'GetCallerIdentity', false],
    ]);
  });
});

describe('SigV4 verification', () => {
  it('rejects an unknown key: InvalidAccessKeyId on S3, InvalidClientTokenId on IAM and STS', async () => {
    f = await startAws();
    const s3 = await sdkError(f.s3('us-east-1', bogus).send(new ListBucketsCommand({})));
    expect(s3.name).toBe('InvalidAccessKeyId');
    expect(s3.$metadata.httpStatusCode).toBe(403);
    const iam = await sdkError(f.iam(bogus).send(new GetUserCommand({})));
    expect(iam.name).toBe('InvalidClientTokenId');
    expect(iam.$metadata.httpStatusCode).toBe(403);
    const sts = await sdkError(f.sts(bogus).send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('InvalidClientTokenId');
    expect(f.recorder.requests.map((r) => r.accessKeyId)).toEqual(Array(3).fill(bogus.accessKeyId));
  });

  it('rejects a wrong secret with SignatureDoesNotMatch everywhere', async () => {
    f = await startAws();
    const wrong = { ...f.aws.rootKey, secretAccessKey: 'x'.repeat(40) };
    for (const call of [
      f.s3('us-east-1', wrong).send(new ListBucketsCommand({})),
      f.iam(wrong).send(new ListUsersCommand({})),
      f.sts(wrong).send(new GetCallerIdentityCommand({})),
    ]) {
      const err = await sdkError(call);
      expect(err.name).toBe('SignatureDoesNotMatch');
      expect(err.$metadata.httpStatusCode).toBe(403);
    }
  });

  it('rejects a credential scoped to another service', async () => {
    f = await startAws();
    const res = await f.signed('sts', {
      method: 'POST',
      path: '/',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      signingService: 'iam',
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(res.body).toContain("Credential should be scoped to correct service: 'sts'");
  });

  it('verifies signatures made outside the SDK (query strings, awsQuery GET)', async () => {
    f = await startAws();
    f.aws.control.createBucket('listing', 'us-east-1');
    const list = await f.signed('s3', { method: 'GET', path: '/listing', query: { 'list-type': '2', prefix: 'a b/é~*', delimiter: '/' } });
    expect(list.status).toBe(200);
    expect(list.body).toContain('<Prefix>a b/é~*</Prefix>');
    const sts = await f.signed('sts', { method: 'GET', path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } });
    expect(sts.status).toBe(200);
    expect(sts.body).toContain(`<Account>${f.aws.accountId}</Account>`);
  });

  it('answers unsigned IAM and STS calls with MissingAuthenticationToken', async () => {
    f = await startAws();
    for (const base of [f.urls.iam, f.urls.sts]) {
      const res = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      });
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(body).toContain('<ErrorResponse');
      expect(body).toContain('<Code>MissingAuthenticationToken</Code>');
    }
  });
});

describe('key propagation', () => {
  it('rejects a new API-created key until keyPropagationMs have passed', async () => {
    let now = Date.UTC(2030, 0, 1);
    f = await startAws({ keyPropagationMs: 10_000, clock: () => now });
    await f.iam().send(new CreateUserCommand({ UserName: 'fresh' }));
    const created = await f.iam().send(new CreateAccessKeyCommand({ UserName: 'fresh' }));
    const key = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    expect((await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await sdkError(f.s3('us-east-1', key).send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    now += 9_999;
    expect((await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    now += 1;
    expect((await f.sts(key).send(new GetCallerIdentityCommand({}))).Arn).toContain(':user/fresh');
  });

  it('setKeyPropagationMs changes the delay; keys made through control are valid at once', async () => {
    f = await startAws({ keyPropagationMs: 60_000 });
    await f.iam().send(new CreateUserCommand({ UserName: 'late' }));
    const created = await f.iam().send(new CreateAccessKeyCommand({ UserName: 'late' }));
    const key = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    expect((await sdkError(f.sts(key).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    f.aws.control.setKeyPropagationMs(0);
    await f.sts(key).send(new GetCallerIdentityCommand({}));
    f.aws.control.setKeyPropagationMs(60_000);
    f.aws.control.createUser('seeded');
    await f.sts(f.aws.control.createAccessKey('seeded')).send(new GetCallerIdentityCommand({}));
  });

  it('a bucket policy naming a user created moments ago is a MalformedPolicy until the user propagates', async () => {
    let now = Date.UTC(2030, 0, 1);
    f = await startAws({ keyPropagationMs: 5_000, clock: () => now });
    f.aws.control.createBucket('named', 'us-east-1');
    const user = (await f.iam().send(new CreateUserCommand({ UserName: 'newbie' }))).User;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: user?.Arn }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::named/*' }],
    });
    const err = await sdkError(f.s3().send(new PutBucketPolicyCommand({ Bucket: 'named', Policy: policy })));
    expect(err.name).toBe('MalformedPolicy');
    expect(err.message).toBe('Invalid principal in policy');
    now += 5_000;
    await f.s3().send(new PutBucketPolicyCommand({ Bucket: 'named', Policy: policy }));
  });
});

describe('unknown operations and faults', () => {
  it('answers operations the stand-ins lack with 501 NotImplemented and logs them', async () => {
    f = await startAws();
    f.aws.control.createBucket('v', 'us-east-1');
    const s3 = await sdkError(f.s3().send(new GetBucketVersioningCommand({ Bucket: 'v' })));
    expect(s3.name).toBe('NotImplemented');
    expect(s3.$metadata.httpStatusCode).toBe(501);
    const iam = await f.signed('iam', {
      method: 'POST',
      path: '/',
      body: 'Action=ListGroups&Version=2010-05-08',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(iam.status).toBe(501);
    expect(iam.body).toContain('<Code>NotImplemented</Code>');
    expect(f.recorder.unknown.map((r) => [r.service, r.operation])).toEqual([
      ['s3', 'Unknown(GET bucket?versioning)'],
      ['iam', 'ListGroups'],
    ]);
    f.recorder.unknown.length = 0;
  });

  it.each<['5xx' | 'throttle', number, string]>([
    ['5xx', 500, 'InternalError'],
    ['throttle', 503, 'SlowDown'],
  ])('S3 %s faults answer %i %s, which the SDK retries', async (kind, status, code) => {
    f = await startAws();
    f.aws.control.createBucket('flaky', 'us-east-1');
    f.recorder.addFault({ match: (r) => r.operation === 'HeadBucket', kind, times: 2 });
    const err = await sdkError(f.s3().send(new HeadBucketCommand({ Bucket: 'flaky' })));
    expect(err.$metadata.httpStatusCode).toBe(status);
    const body = await f.signed('s3', { method: 'GET', path: '/flaky', query: { location: '' } });
    expect(body.status).toBe(200);
    f.recorder.addFault({ match: (r) => r.operation === 'GetBucketLocation', kind });
    const raw = await f.signed('s3', { method: 'GET', path: '/flaky', query: { location: '' } });
    expect(raw.status).toBe(status);
    expect(raw.body).toContain(`<Code>${code}</Code>`);
    const retried = await f.s3('us-east-1', undefined, { maxAttempts: 2 }).send(new HeadBucketCommand({ Bucket: 'flaky' }));
    expect(retried.BucketRegion).toBe('us-east-1');
    expect(f.recorder.requests.filter((r) => r.operation === 'HeadBucket').map((r) => r.status)).toEqual([status, status, 200]);
  });

  it.each<['5xx' | 'throttle', 'iam' | 'sts', number, string]>([
    ['5xx', 'iam', 500, 'ServiceFailure'],
    ['throttle', 'iam', 400, 'Throttling'],
    ['5xx', 'sts', 500, 'InternalFailure'],
    ['throttle', 'sts', 400, 'Throttling'],
  ])('%s faults on %s answer %i %s, which the SDK retries', async (kind, service, status, code) => {
    f = await startAws();
    f.recorder.addFault({ match: (r) => r.service === service, kind });
    const send = service === 'iam' ? f.iam().send(new ListUsersCommand({})) : f.sts().send(new GetCallerIdentityCommand({}));
    const err = await sdkError(send);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err.name.replace(/Exception$/, '')).toBe(code);
    if (code === 'Throttling') expect(err.message).toBe('Rate exceeded');
    f.recorder.addFault({ match: (r) => r.service === service, kind });
    const client =
      service === 'iam'
        ? new (await import('@aws-sdk/client-iam')).IAMClient({ endpoint: f.urls.iam, region: 'us-east-1', credentials: f.aws.rootKey, maxAttempts: 2 })
        : new (await import('@aws-sdk/client-sts')).STSClient({ endpoint: f.urls.sts, region: 'us-east-1', credentials: f.aws.rootKey, maxAttempts: 2 });
    const ok = service === 'iam' ? await (client as import('@aws-sdk/client-iam').IAMClient).send(new ListUsersCommand({})) : await (client as import('@aws-sdk/client-sts').STSClient).send(new GetCallerIdentityCommand({}));
    expect(ok.$metadata.attempts).toBe(2);
    client.destroy();
  });
});
