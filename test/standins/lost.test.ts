// The `lost` fault: the request is handled for real, then the connection is reset before the answer is written.
import { CreateAccessKeyCommand, CreateUserCommand, GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import Heroku from 'heroku-client';
import generateJwt from 'opentok/lib/generateJwt.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsKey, LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { sdkError } from './aws-fixture.js';

let s: LocalServices;
const clients: { destroy(): void }[] = [];
beforeEach(async () => {
  s = await startLocalServices();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  expect(s.recorder.unknown).toEqual([]);
  await s.close();
});

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}
const iam = (maxAttempts = 1) => track(new IAMClient({ endpoint: s.urls.iam, region: 'us-east-1', credentials: s.rootKey, maxAttempts }));
const s3 = (region = 'us-east-1', maxAttempts = 1) =>
  track(new S3Client({ endpoint: s.urls.s3, region, forcePathStyle: true, credentials: s.rootKey, maxAttempts }));
const sts = (credentials: AwsKey) => track(new STSClient({ endpoint: s.urls.sts, region: 'us-east-1', credentials, maxAttempts: 1 }));

/** The caller got no answer at all: a network error, not a service error. */
function expectNetworkError(err: Error & { $metadata?: { httpStatusCode?: number } }): void {
  expect(err.$metadata?.httpStatusCode).toBeUndefined();
  expect(`${err.message} ${(err as { code?: string }).code ?? ''}`).toMatch(/socket hang up|ECONNRESET/);
}

const lose = (operation: string) => s.recorder.addFault({ match: (r) => r.operation === operation, kind: 'lost' });

describe('IAM', () => {
  it('a lost CreateAccessKey leaves a key on the user while the caller sees a network error', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'app' }));
    lose('CreateAccessKey');
    expectNetworkError(await sdkError(iam().send(new CreateAccessKeyCommand({ UserName: 'app' }))));
    const keys = s.control.user('app')?.keys ?? [];
    expect(keys).toHaveLength(1);
    const listed = await iam().send(new ListAccessKeysCommand({ UserName: 'app' }));
    expect(listed.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([keys[0]?.accessKeyId]);
    const lastUsed = await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys[0]?.accessKeyId }));
    expect(lastUsed.AccessKeyLastUsed?.LastUsedDate).toBeUndefined();
    const entry = s.recorder.requests.find((r) => r.operation === 'CreateAccessKey');
    expect(entry).toMatchObject({ faulted: 'lost', status: 0, lostStatus: 200, write: true });
    expect(entry?.endedAt).toBeDefined();
    expect(s.recorder.writes()).toContain(entry);
  });

  it("the SDK's retry after a lost answer makes a second key, whose secret is the only one the caller saw", async () => {
    await iam().send(new CreateUserCommand({ UserName: 'app' }));
    lose('CreateAccessKey');
    const out = await iam(3).send(new CreateAccessKeyCommand({ UserName: 'app' }));
    const keys = s.control.user('app')?.keys ?? [];
    expect(keys).toHaveLength(2);
    expect(out.AccessKey?.AccessKeyId).toBe(keys[1]?.accessKeyId);
    expect(out.AccessKey?.SecretAccessKey).not.toBe(keys[0]?.secretAccessKey);
  });
});

describe('S3 and STS', () => {
  it('a lost PutObject stores the object', async () => {
    s.control.createBucket('lost-bucket', 'us-east-1');
    lose('PutObject');
    expectNetworkError(await sdkError(s3().send(new PutObjectCommand({ Bucket: 'lost-bucket', Key: '1234/probe.txt', Body: 'landed' }))));
    expect(s.control.bucket('lost-bucket')?.objects.get('1234/probe.txt')?.body.toString()).toBe('landed');
    const got = await s3().send(new GetObjectCommand({ Bucket: 'lost-bucket', Key: '1234/probe.txt' }));
    expect(await got.Body?.transformToString()).toBe('landed');
  });

  it("a lost CreateBucket outside us-east-1 makes the bucket, and the SDK's retry gets 409 BucketAlreadyOwnedByYou", async () => {
    lose('CreateBucket');
    const err = await sdkError(s3('eu-west-1', 2).send(new CreateBucketCommand({ Bucket: 'lost-eu' })));
    expect(err.name).toBe('BucketAlreadyOwnedByYou');
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect(s.control.bucket('lost-eu')?.region).toBe('eu-west-1');
  });

  it('a lost GetCallerIdentity still counts as a use of the key', async () => {
    s.control.createUser('worker');
    const key = s.control.createAccessKey('worker');
    lose('GetCallerIdentity');
    expectNetworkError(await sdkError(sts(key).send(new GetCallerIdentityCommand({}))));
    expect(s.control.user('worker')?.keys[0]?.lastUsed).toMatchObject({ service: 'sts', region: 'us-east-1' });
  });
});

describe('Heroku and OpenTok', () => {
  it("a lost config-vars PATCH is applied, and heroku-client's retry applies it again: two releases", async () => {
    const heroku = new Heroku({ token: s.herokuToken, host: s.urls.heroku });
    const before = s.control.app('ib-demo')?.releases ?? 0;
    lose('PATCH /apps/{app}/config-vars');
    const vars = await heroku.patch<Record<string, string>>('/apps/ib-demo/config-vars', { body: { S3_BUCKET_NAME: 'b' } });
    expect(vars.S3_BUCKET_NAME).toBe('b');
    expect(s.control.app('ib-demo')?.releases).toBe(before + 2);
    expect(s.recorder.requests.filter((r) => r.method === 'PATCH').map((r) => r.faulted)).toEqual(['lost', undefined]);
  });

  it('a lost storage PUT sets the archive target', async () => {
    const { apiKey, apiSecret } = s.opentok;
    const target = { type: 's3', config: { bucket: 'b', accessKey: 'AKIAEXAMPLE', secretKey: 'secret' }, fallback: 'none' };
    s.recorder.addFault({ match: (r) => r.service === 'opentok' && r.method === 'PUT', kind: 'lost' });
    const sent = fetch(`${s.urls.opentok}/v2/project/${apiKey}/archive/storage`, {
      method: 'PUT',
      headers: { 'X-OPENTOK-AUTH': generateJwt({ apiKey, apiSecret, auth: { expire: 300 } }), 'content-type': 'application/json' },
      body: JSON.stringify(target),
    });
    await expect(sent).rejects.toThrow(/fetch failed/);
    expect(s.control.opentokStorage(apiKey)).toMatchObject({ type: 's3', config: { bucket: 'b' } });
  });
});
